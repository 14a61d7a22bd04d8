// a case on a signed 2-bit selector with labels -2..1 covers every value: no latch
// (Yosys 0.23 infers one: judged by iverilog)
module top(input signed [1:0] t, input [3:0] d, output reg [3:0] z);
  always @* begin
    case (t)
      -2: z = 1;
      -1: z = 2;
      0: z = d;
      1: z = 8;
    endcase
  end
endmodule

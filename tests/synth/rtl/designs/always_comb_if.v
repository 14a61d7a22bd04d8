// combinational always with if/else chains and default assignment
module top(input [3:0] a, b, input s, t, output reg [3:0] y, output reg z);
  always @* begin
    z = 1'b0;
    if (s) y = a;
    else if (t) begin
      y = b;
      z = 1'b1;
    end else y = a ^ b;
  end
endmodule

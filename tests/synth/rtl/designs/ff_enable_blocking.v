// several registers in one block, blocking temporaries inside a clocked block
module top(input clk, input en, input [3:0] a, b, output reg [3:0] s, output reg [3:0] m);
  reg [3:0] t;
  always @(posedge clk) begin
    t = a + b;
    if (en) begin
      s <= t;
      m <= t ^ m;
    end
  end
endmodule

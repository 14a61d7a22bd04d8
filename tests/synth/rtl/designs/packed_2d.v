// a 2-D memory word select and bit select of a word
module top(input clk, input we, input [1:0] a, input [2:0] b, input [7:0] d, output y, output [7:0] w);
  reg [7:0] m [0:3];
  always @(posedge clk) if (we) m[a] <= d;
  assign y = m[a][b];
  assign w = m[~a];
endmodule

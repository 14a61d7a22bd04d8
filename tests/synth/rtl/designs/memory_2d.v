// two-dimensional memory written and read with two variable indices
module top(input clk, input [1:0] a, input [2:0] i, output [7:0] y, output [7:0] z);
  reg [7:0] m [0:3][0:1];
  always @(posedge clk) m[a][i[0]] <= {a, i, a, i[0]};
  assign y = m[a][1] ^ m[2][i[1]];
  assign z = m[i[2:1]][a[0]];
endmodule

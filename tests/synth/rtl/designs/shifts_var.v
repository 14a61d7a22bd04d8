// shifts by variable amounts, including amounts past the width
module top(input [7:0] a, input signed [7:0] s, input [3:0] n, input [1:0] m, output [7:0] l, r, output signed [7:0] ar, output [7:0] u, output [15:0] w);
  assign l = a << n;
  assign r = a >> m;
  assign ar = s >>> n;
  assign u = a >>> n;
  assign w = {8'b0, a} << n;
endmodule

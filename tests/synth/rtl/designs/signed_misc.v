// negative constants, signed shift amounts, signed division by constants, mixed ?:
module top(input signed [7:0] a, input [7:0] u, input signed [2:0] n, input c, output [5:0] y, output signed [7:0] q, r, output [8:0] m);
  assign y = {a < -8'sd3, a > -3, u < -3, a >>> 2 == -1, (a >> n) == 0, a / 2 == -3};
  assign q = a / -8'sd3;
  assign r = a % 8'sd4;
  assign m = c ? a : u;
endmodule

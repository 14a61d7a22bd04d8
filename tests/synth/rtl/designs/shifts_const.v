// shifts by constants, logical and arithmetic
module top(input [7:0] a, input signed [7:0] s, output [7:0] l, r, al, output signed [7:0] ar, ar2, output [11:0] w);
  assign l = a << 3;
  assign r = a >> 2;
  assign al = a <<< 1;
  assign ar = s >>> 3;
  assign ar2 = s >> 3;
  assign w = a << 4;
endmodule

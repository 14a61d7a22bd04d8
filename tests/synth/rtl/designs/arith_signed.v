// signed arithmetic, sign extension, mixed signed/unsigned
module top(input signed [7:0] a, input signed [3:0] b, input [3:0] u, output signed [9:0] s1, output [9:0] s2, output signed [7:0] n, output lt_s, lt_m);
  assign s1 = a + b;
  assign s2 = a + u;
  assign n = -a;
  assign lt_s = b < a;
  assign lt_m = b < u;
endmodule

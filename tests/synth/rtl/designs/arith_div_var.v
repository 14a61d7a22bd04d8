// division by a variable (small)
module top(input [4:0] a, input [3:0] b, output [4:0] q, output [3:0] r);
  assign q = a / b;
  assign r = a % b;
endmodule

// multiplication, unsigned and signed
module top(input [5:0] a, input [4:0] b, input signed [4:0] c, input signed [3:0] d, output [10:0] p, output signed [8:0] q, output [5:0] t, output [7:0] k);
  assign p = a * b;
  assign q = c * d;
  assign t = a * b;
  assign k = a * 8'd13;
endmodule

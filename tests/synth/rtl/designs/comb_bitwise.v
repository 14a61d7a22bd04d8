// bitwise operators on vectors of different widths
module top(input [7:0] a, input [5:0] b, output [7:0] y_and, y_or, y_xor, y_xnor, y_not);
  assign y_and = a & b;
  assign y_or = a | b;
  assign y_xor = a ^ b;
  assign y_xnor = a ~^ b;
  assign y_not = ~b;
endmodule

// arithmetic wider than 64 bits
module top(input [69:0] a, b, output [70:0] s, output [69:0] x, output lt);
  assign s = a + b;
  assign x = (a ^ b) >> 3;
  assign lt = a < b;
endmodule

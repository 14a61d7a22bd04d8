// gate primitives
module top(input a, b, c, output y1, y2, y3, y4, y5);
  wire n1;
  and g1(y1, a, b, c);
  nor g2(y2, a, b);
  not g3(n1, c);
  xor g4(y3, n1, a);
  nand g5(y4, a, n1);
  buf g6(y5, b);
endmodule

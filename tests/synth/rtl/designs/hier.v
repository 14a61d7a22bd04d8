// three levels of hierarchy, positional and named ports, unconnected output
module ha(input a, b, output s, c);
  assign s = a ^ b;
  assign c = a & b;
endmodule
module fa(input a, b, ci, output s, co);
  wire s1, c1, c2;
  ha h1(a, b, s1, c1);
  ha h2(.a(s1), .b(ci), .s(s), .c(c2));
  assign co = c1 | c2;
endmodule
module add4(input [3:0] a, b, input ci, output [3:0] s, output co);
  wire [4:0] c;
  assign c[0] = ci;
  fa f0(a[0], b[0], c[0], s[0], c[1]);
  fa f1(a[1], b[1], c[1], s[1], c[2]);
  fa f2(a[2], b[2], c[2], s[2], c[3]);
  fa f3(a[3], b[3], c[3], s[3], c[4]);
  assign co = c[4];
endmodule
module top(input [3:0] a, b, input ci, output [3:0] s, output co);
  add4 u(.a(a), .b(b), .ci(ci), .s(s), .co(co));
  ha unused(.a(a[0]), .b(b[0]), .s(), .c());
endmodule

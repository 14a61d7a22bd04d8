// arrays of instances: connections sliced per instance or shared (issue 15)
module fa(input a, b, ci, output s, co);
  assign s = a ^ b ^ ci;
  assign co = (a & b) | (ci & (a ^ b));
endmodule

module top(input [3:0] a, b, input cin, output [3:0] s, output cout);
  wire [4:0] c;
  assign c[0] = cin;
  fa add[3:0] (.a(a), .b(b), .ci(c[3:0]), .s(s), .co(c[4:1]));
  assign cout = c[4];
endmodule

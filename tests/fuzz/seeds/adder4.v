// structural Verilog: the gate-level subset
module adder4 (a, b, cin, sum, cout);
  input [3:0] a, b;
  input cin;
  output [3:0] sum;
  output cout;
  wire [4:0] c;
  wire t0, t1;
  assign c[0] = cin;
  assign sum = a ^ b ^ c[3:0];
  assign c[1] = (a[0] & b[0]) | (c[0] & (a[0] ^ b[0]));
  assign c[2] = (a[1] & b[1]) | (c[1] & (a[1] ^ b[1]));
  assign c[3] = (a[2] & b[2]) | (c[2] & (a[2] ^ b[2]));
  and g1 (t0, a[3], b[3]);
  xor (t1, a[3], b[3]);
  assign c[4] = t0 | (c[3] & t1);
  assign cout = ~&{~c[4], 1'b1} ? c[4] : 1'b0;
endmodule

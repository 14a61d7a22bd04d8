// wor and wand nets: several drivers combine by OR / AND (issue 15)
module drv(input [1:0] a, output [1:0] y);
  assign y = a + 2'd1;
endmodule

module top(input a, b, c, input [1:0] d, e, output y, output z, output [1:0] v);
  wor w;
  wand x;
  wor [1:0] bus;
  assign w = a;
  assign w = b & c;
  assign x = b;
  assign x = c | a;
  and g(x, a, c);
  drv u(.a(d), .y(bus));
  assign bus = e;
  assign y = w;
  assign z = x;
  assign v = bus;
endmodule

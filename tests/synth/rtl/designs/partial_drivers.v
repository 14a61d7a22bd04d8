// one vector driven bit by bit from several assigns, out of order
module top(input [3:0] a, output [3:0] y, output [1:0] z);
  wire [3:0] t;
  assign y[3] = t[0];
  assign t[0] = a[3] & a[0];
  assign t[3:1] = a[2:0];
  assign y[2:0] = t[3:1] ^ {3{t[0]}};
  assign z = {t[2], y[3]};
endmodule

// logical operators on vectors
module top(input [3:0] a, input [2:0] b, input c, output [3:0] y);
  assign y[0] = a && b;
  assign y[1] = a || !c;
  assign y[2] = !a;
  assign y[3] = (a != 0) && (b == 3'd5 || c);
endmodule

// $signed/$unsigned, sign extension in assignments and expressions
module top(input [3:0] a, input signed [3:0] b, output [7:0] y1, y2, y3, y4, output signed [7:0] y5);
  assign y1 = $signed(a);
  assign y2 = b;
  assign y3 = $unsigned(b);
  assign y4 = $signed(a) + b;
  assign y5 = $signed(a) >>> 1;
endmodule

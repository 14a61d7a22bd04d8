// constant bit and part selects, descending and ascending ranges, offsets
module top(input [15:8] a, input [0:7] b, input [7:0] c, output [3:0] y1, y2, output y3, y4, output [7:0] y5);
  assign y1 = a[13:10];
  assign y2 = b[2:5];
  assign y3 = a[15];
  assign y4 = b[0];
  assign y5 = {c[3:0], c[7:4]};
endmodule

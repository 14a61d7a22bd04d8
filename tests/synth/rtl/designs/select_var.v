// variable bit select and indexed part selects (+: and -:)
module top(input [15:0] a, input [0:15] d, input [3:0] i, input [2:0] j, output y, output [3:0] up, down, output yd, output [2:0] ud);
  assign y = a[i];
  assign up = a[j*2 +: 4];
  assign down = a[i -: 4];
  assign yd = d[i];
  assign ud = d[j +: 3];
endmodule

// An internal tri-state bus with two drivers, read by logic (issue 15; Yosys 0.23 cannot
// judge it: iverilog does).
module top(input s, input [3:0] a, b, c, output [3:0] y);
  wire [3:0] bus;
  assign bus = s ? a : 4'bz;
  assign bus = s ? 4'bz : b;
  assign y = bus + c;
endmodule

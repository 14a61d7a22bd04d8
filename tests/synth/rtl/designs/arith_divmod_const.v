// division and modulo by constants, unsigned and signed (sized operands keep Yosys fast)
module top(input [7:0] a, input signed [5:0] s, output [7:0] q3, r3, q8, r8, output signed [5:0] sq, sr);
  assign q3 = a / 8'd3;
  assign r3 = a % 8'd3;
  assign q8 = a / 8'd8;
  assign r8 = a % 8'd8;
  assign sq = s / 6'sd5;
  assign sr = s % -6'sd5;
endmodule

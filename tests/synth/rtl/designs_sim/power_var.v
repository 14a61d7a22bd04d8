// `**` with non-constant operands (issue 15): square-and-multiply (Yosys 0.23 cannot map
// $pow cells: judged by iverilog)
module top(input [3:0] a, input [2:0] b, input signed [3:0] sa, input signed [2:0] sb,
           output [7:0] y, output [7:0] z, output signed [7:0] s, output [5:0] t);
  assign y = a ** b;
  assign z = 3 ** b;
  assign s = sa ** sb;
  assign t = a ** 3'd5;
endmodule

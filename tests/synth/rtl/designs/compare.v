// comparisons, unsigned and signed, mixed widths
module top(input [5:0] a, input [3:0] b, input signed [5:0] sa, input signed [3:0] sb, output [11:0] y);
  assign y = {a < b, a <= b, a > b, a >= b, a == b, a != b,
              sa < sb, sa <= sb, sa > sb, sa >= sb, sa == sb, sa < 0};
endmodule

// nested conditional operator with mixed widths
module top(input [1:0] s, input [7:0] a, input [3:0] b, input c, output [7:0] y, output z);
  assign y = s == 0 ? a : s == 1 ? b : s[1] & c ? ~a : 8'h5a;
  assign z = a ? c : 1'b0;
endmodule

// parameters, localparam, #() overrides, defparam
module adder #(parameter W = 4, parameter K = 1) (input [W-1:0] a, output [W-1:0] y);
  localparam L = K * 2;
  assign y = a + L;
endmodule
module top(input [7:0] a, output [7:0] y1, output [3:0] y2, output [5:0] y3);
  adder #(.W(8), .K(3)) u1(.a(a), .y(y1));
  adder u2(.a(a[3:0]), .y(y2));
  adder u3(.a(a[5:0]), .y(y3));
  defparam u3.W = 6;
  defparam u3.K = 5;
endmodule

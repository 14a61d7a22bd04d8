// concatenation targets in assign and always, instance outputs into concatenations
module sw(input [3:0] x, output [1:0] hi, output [1:0] lo);
  assign {hi, lo} = x;
endmodule
module top(input [3:0] a, input [5:0] b, output [1:0] p, q, output reg [2:0] r, output reg [2:0] s);
  wire [1:0] t;
  sw u(.x(a), .hi(t), .lo(p));
  assign q = t ^ 2'b01;
  always @* {r, s} = b + 6'd7;
endmodule

// + and - with carry out and context width extension
module top(input [7:0] a, input [7:0] b, input [3:0] c, output [8:0] sum, output [7:0] diff, output [9:0] wide, output cout);
  assign sum = a + b;
  assign diff = a - b - c;
  assign wide = a + b + c;
  wire [7:0] s8;
  assign {cout, s8} = a + b;
endmodule

// integer variables and signed 32-bit arithmetic in always blocks
module top(input [7:0] a, input signed [7:0] b, output reg [31:0] y, output reg signed [15:0] z);
  integer t;
  always @* begin
    t = a;
    t = t * 3 - b;
    y = t;
    z = t >>> 2;
  end
endmodule

// One-hot multiplexer as an OR of masked inputs, built in a for loop.
module top(input [3:0] sel, input [23:0] d, output reg [5:0] y);
  integer k;
  always @* begin
    y = 6'd0;
    for (k = 0; k < 4; k = k + 1)
      y = y | ({6{sel[k]}} & d[k*6 +: 6]);
  end
endmodule

// Signed saturating add and subtract.
module top(input logic signed [5:0] a, b, input logic sub, output logic signed [5:0] y,
           output logic sat);
  logic signed [6:0] wide;
  always_comb begin
    wide = sub ? (a - b) : (a + b);
    sat = 1'b0;
    if (wide > 7'sd31) begin y = 6'sd31; sat = 1'b1; end
    else if (wide < -7'sd32) begin y = -6'sd32; sat = 1'b1; end
    else y = wide[5:0];
  end
endmodule

// shift register written with a for loop of non-blocking assignments
module top(input clk, input d, output q, output [7:0] all);
  reg [7:0] sr;
  integer i;
  always @(posedge clk) begin
    sr[0] <= d;
    for (i = 1; i < 8; i = i + 1) sr[i] <= sr[i-1];
  end
  assign q = sr[7];
  assign all = sr;
endmodule

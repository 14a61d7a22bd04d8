// LFSR with asynchronous reset, parameterized taps via a for loop
module top #(parameter [7:0] TAPS = 8'b10111000) (input clk, input rst_n, output [7:0] q);
  reg [7:0] r;
  reg fb;
  integer i;
  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) r <= 8'h01;
    else begin
      fb = 1'b0;
      for (i = 0; i < 8; i = i + 1) if (TAPS[i]) fb = fb ^ r[i];
      r <= {r[6:0], fb};
    end
  end
  assign q = r;
endmodule

// negedge flops (one global clock is implied)
module top(input clk, input [1:0] d, output reg [1:0] q);
  always @(negedge clk) q <= d ^ q;
endmodule

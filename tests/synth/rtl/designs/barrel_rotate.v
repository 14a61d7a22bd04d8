// Variable rotates left and right, and an arithmetic shift of a signed value.
module top(input [7:0] a, input [2:0] n, input dir, output [7:0] rot, output signed [7:0] sra);
  wire [15:0] dbl = {a, a};
  wire [7:0] rl = dbl[15 - n -: 8];
  wire [7:0] rr = dbl[n +: 8];
  assign rot = dir ? rl : rr;
  assign sra = $signed(a) >>> n;
endmodule

// flops inside generated submodule instances
module dff_en(input clk, input en, input d, output reg q);
  always @(posedge clk) if (en) q <= d;
endmodule
module top(input clk, input [3:0] en, input [3:0] d, output [3:0] q);
  genvar i;
  for (i = 0; i < 4; i = i + 1) begin : bit_
    dff_en u(.clk(clk), .en(en[i]), .d(d[i] ^ q[(i + 1) % 4]), .q(q[i]));
  end
endmodule

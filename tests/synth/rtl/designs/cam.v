// A 4-entry CAM: entries written by index, a search key matched against all of them.
module top(input clk, input we, input [1:0] wa, input [5:0] wd, input [5:0] key,
           output [3:0] hit, output reg [1:0] first, output any);
  reg [5:0] ent [0:3];
  reg [3:0] vld;
  initial vld = 4'd0;
  always @(posedge clk)
    if (we) begin ent[wa] <= wd; vld[wa] <= 1'b1; end
  genvar i;
  generate for (i = 0; i < 4; i = i + 1) begin : M
    assign hit[i] = vld[i] && ent[i] == key;
  end endgenerate
  integer k;
  always @* begin
    first = 2'd0;
    for (k = 3; k >= 0; k = k - 1) if (hit[k]) first = k;
  end
  assign any = |hit;
endmodule

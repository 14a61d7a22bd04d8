// indexed part-select writes partly out of range write their in-range bits (issue 15);
// writes that hang out below bit 0 are in designs_sim/partsel_below.v (Yosys 0.23 drops them)
module top(input clk, input [2:0] i, input signed [3:0] s, input [3:0] d,
           output reg [7:0] up, output reg [7:0] sg, output reg [15:0] p2,
           output reg [0:7] asc, output reg [7:0] st, output reg [7:0] nb);
  always @* begin up = 8'd0; up[i +: 4] = d; end
  always @(posedge clk) nb[i +: 3] <= d[2:0];
  always @* begin sg = 8'h00; sg[s +: 4] = d; end
  always @* begin asc = 8'h0f; asc[i +: 3] = d[2:0]; end
  always @* begin st = 8'h00; st[6 +: 4] = d; st[-2 +: 4] = ~d; end
  // a constant part-select inside a variable-indexed word stays inside that word
  reg [7:0] mem [0:3];
  integer k;
  initial for (k = 0; k < 4; k = k + 1) mem[k] = 8'h11 * k;
  always @(posedge clk) mem[i[1:0]][6 +: 4] <= d;
  always @* p2 = {mem[1], mem[2]};
endmodule

// one clocked always block per memory entry in a generate loop (a common FIFO style) is
// one driver per entry, not "more than one driver" (issue 15)
module top(input clk, input rst, input we, input [1:0] wa, ra, input [7:0] din,
           output [7:0] dout, output [7:0] first, output reg [3:0] flags);
  reg [7:0] mem [0:3];
  genvar g;
  generate
    for (g = 0; g < 4; g = g + 1) begin : W
      always @(posedge clk)
        if (rst) mem[g] <= 8'd0;
        else if (we && wa == g) mem[g] <= din;
      always @(posedge clk) flags[g] <= we && wa == g;
    end
  endgenerate
  assign dout = mem[ra];
  assign first = mem[0];
endmodule

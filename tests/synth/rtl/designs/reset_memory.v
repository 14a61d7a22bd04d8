// memory cleared by a loop under asynchronous reset, written and read by address
module top(input clk, input rst, input we, input [1:0] wa, ra, input [3:0] d, output [3:0] q, output [15:0] all);
  reg [3:0] m [0:3];
  integer i;
  always @(posedge clk or posedge rst)
    if (rst) begin
      for (i = 0; i < 4; i = i + 1) m[i] <= i;
    end else if (we) m[wa] <= d;
  assign q = m[ra];
  assign all = {m[3], m[2], m[1], m[0]};
endmodule

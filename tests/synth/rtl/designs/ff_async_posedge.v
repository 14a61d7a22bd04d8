// asynchronous active-high reset with a comb next-state function and output logic
module top(input clk, input rst, input [2:0] d, output [3:0] y);
  reg [3:0] acc;
  wire [3:0] nxt = acc + d;
  always @(posedge clk or posedge rst)
    if (rst) acc <= 4'd3;
    else acc <= nxt;
  assign y = acc ^ {d, 1'b1};
endmodule

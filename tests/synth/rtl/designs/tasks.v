// tasks without timing: inputs, outputs, writes to module variables, called from two blocks
module top(input clk, input [3:0] a, b, output reg [3:0] y, output reg z, output reg [3:0] q);
  task swap_halves(input [3:0] x, output [3:0] r);
    begin
      r = {x[1:0], x[3:2]};
    end
  endtask
  task add_flag(input [3:0] x, input [3:0] w);
    begin
      y = x + w;
      z = y[3] ^ x[0];
    end
  endtask
  reg [3:0] t;
  always @* begin
    add_flag(a, b);
  end
  always @(posedge clk) begin
    swap_halves(a ^ q, t);
    q <= t;
  end
endmodule

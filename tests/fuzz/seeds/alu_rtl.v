// RTL: parameters, always blocks, case, arithmetic, a submodule, a function
module top #(parameter W = 4) (input clk, rst, input [1:0] op, input [W-1:0] a, b,
                              output reg [W-1:0] y, output zero, output [W-1:0] cnt);
  function [W-1:0] rev(input [W-1:0] x);
    integer i;
    for (i = 0; i < W; i = i + 1) rev[i] = x[W-1-i];
  endfunction
  always @* begin
    case (op)
      2'd0: y = a + b;
      2'd1: y = a - b;
      2'd2: y = a & b | rev(b);
      default: y = (a < b) ? {{(W-1){1'b0}}, 1'b1} : a >> 1;
    endcase
  end
  assign zero = y == 0;
  counter #(.N(W)) u0 (.clk(clk), .rst(rst), .q(cnt));
endmodule

module counter #(parameter N = 2) (input clk, rst, output reg [N-1:0] q);
  always @(posedge clk)
    if (rst) q <= 0;
    else q <= q + 1'b1;
endmodule

// A Gray-code counter with conversion functions and a synchronous clear.
module top(input clk, input clr, input en, output [4:0] gray, output [4:0] bin);
  function [4:0] to_gray(input [4:0] b); to_gray = b ^ (b >> 1); endfunction
  function [4:0] to_bin(input [4:0] g);
    integer k;
    begin
      to_bin[4] = g[4];
      for (k = 3; k >= 0; k = k - 1) to_bin[k] = to_bin[k + 1] ^ g[k];
    end
  endfunction
  reg [4:0] g;
  always @(posedge clk)
    if (clr) g <= 5'd0;
    else if (en) g <= to_gray(to_bin(g) + 5'd1);
  assign gray = g;
  assign bin = to_bin(g);
endmodule

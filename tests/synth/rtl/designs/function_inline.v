// functions inlined in assigns and always blocks, with loops and locals
module top(input [7:0] a, b, output [3:0] pa, output reg [7:0] m, output [7:0] g);
  function [3:0] popcount;
    input [7:0] x;
    integer i;
    begin
      popcount = 0;
      for (i = 0; i < 8; i = i + 1) popcount = popcount + x[i];
    end
  endfunction
  function [7:0] max2(input [7:0] x, input [7:0] y);
    max2 = x > y ? x : y;
  endfunction
  function [7:0] gray(input [7:0] x);
    gray = x ^ (x >> 1);
  endfunction
  assign pa = popcount(a) + popcount(b & 8'h0f);
  assign g = gray(max2(a, b));
  always @* m = max2(a, ~b);
endmodule

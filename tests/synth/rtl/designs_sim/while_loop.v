// while loops with constant bounds (in a function: Yosys 0.23 takes them only there)
module top(input [7:0] a, output [3:0] lz, output [7:0] g);
  function [3:0] clz(input [7:0] x);
    integer k;
    reg done;
    begin
      clz = 0;
      done = 0;
      k = 7;
      while (k >= 0) begin
        if (!done && !x[k]) clz = clz + 1;
        else done = 1;
        k = k - 1;
      end
    end
  endfunction
  function [7:0] fold(input [7:0] x);
    integer n;
    begin
      fold = x;
      n = 0;
      while (n < 3) begin fold = fold ^ (fold >> 1); n = n + 1; end
    end
  endfunction
  assign lz = clz(a);
  assign g = fold(a);
endmodule

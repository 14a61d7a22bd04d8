// yosys: early-setundef -- a function that does not assign its result on every path gives
// x there (issue 15), taken as 0
module top(input [3:0] a, input s, input [1:0] k, output [3:0] y, output [3:0] z);
  function [3:0] f(input [3:0] x, input e);
    if (e) f = x + 1;
  endfunction
  function [3:0] g(input [3:0] x, input [1:0] m);
    begin
      g[1:0] = x[3:2];
      case (m)
        2'd0: g[3:2] = 2'b01;
        2'd1: g[3:2] = x[1:0];
      endcase
    end
  endfunction
  assign y = f(a, s);
  assign z = g(a, k);
endmodule

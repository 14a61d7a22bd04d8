// arrays of gate primitives (Yosys 0.23 fails an assertion on them: judged by iverilog)
module top(input [3:0] a, b, input en, output [7:0] y, output [3:0] n);
  and gate[7:0] (y, {a, b}, en);
  not inv[3:0] (n, a);
endmodule

// `define, `ifdef, `include (inc/widths.vh found through the file's folder)
`include "inc/widths.vh"
`define DOUBLE(x) ((x) << 1)
module top(input [`W-1:0] a, output [`W:0] y, output z);
`ifdef USE_PARITY
  assign z = ^a;
`else
  assign z = 1'b0;
`endif
  assign y = `DOUBLE(a);
endmodule

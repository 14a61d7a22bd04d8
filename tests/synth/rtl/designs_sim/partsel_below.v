// indexed part-select writes that hang out below bit 0 write their in-range bits
// (Yosys 0.23 drops the whole write: judged by iverilog)
module top(input clk, input [2:0] i, input [3:0] d, input [3:0] j,
           output reg [7:0] dn, output reg [7:0] q, output reg [7:0] f, output reg [7:0] g);
  function [7:0] put(input [2:0] k, input [3:0] v);
    begin put = 8'h5a; put[k -: 4] = v; end
  endfunction
  initial q = 8'h3c;
  always @* begin dn = 8'ha5; dn[i -: 4] = d; end
  always @(posedge clk) q[i -: 4] <= d;
  always @* f = put(i, d);
  always @* begin g = 8'hff; g[j -: 3] = d[2:0]; g[j - 4'd9 +: 2] = 2'b00; end
endmodule

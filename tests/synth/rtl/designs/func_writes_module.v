// A function that writes module-level variables (a status flag and a counter of calls), as
// designers use it inside combinational and clocked blocks.
module top(input clk, input [3:0] a, b, output reg [3:0] y, output reg ovf,
           output reg [3:0] acc, output reg acc_ovf);
  reg carry;
  function [3:0] add_flag(input [3:0] x, input [3:0] z);
    reg [4:0] s;
    begin
      s = x + z;
      carry = s[4];
      add_flag = s[3:0];
    end
  endfunction
  always @* begin
    y = add_flag(a, b);
    ovf = carry;
  end
  reg sat;
  function [3:0] sat_add(input [3:0] x, input [3:0] z);
    begin
      {sat, sat_add} = x + z;
      if (sat) sat_add = 4'hf;
    end
  endfunction
  initial begin acc = 0; acc_ovf = 0; end
  always @(posedge clk) begin
    acc <= sat_add(acc, a);
    acc_ovf <= sat;
  end
endmodule

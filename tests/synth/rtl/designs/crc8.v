// CRC-8 over a byte per cycle: a function with a loop over a parameter polynomial
module top #(parameter [7:0] POLY = 8'h07) (input clk, input clr, input en, input [7:0] data, output reg [7:0] crc, output [7:0] next);
  function [7:0] step(input [7:0] c, input [7:0] d);
    integer i;
    reg [7:0] r;
    begin
      r = c ^ d;
      for (i = 0; i < 8; i = i + 1)
        r = r[7] ? (r << 1) ^ POLY : r << 1;
      step = r;
    end
  endfunction
  assign next = step(crc, data);
  always @(posedge clk)
    if (clr) crc <= 8'hff;
    else if (en) crc <= next;
endmodule

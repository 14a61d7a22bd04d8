// testbench-only constructs ignored with warnings: $display, delays
`timescale 1ns/1ps
module top(input [3:0] a, output reg [3:0] y, output w);
  assign #2 w = ^a;
  always @* begin
    y = a + 1;
    $display("y=%d", y);
  end
endmodule

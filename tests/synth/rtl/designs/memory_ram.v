// register file: synchronous write, asynchronous read (memory as flops)
module top(input clk, input we, input [2:0] wa, ra, input [3:0] wd, output [3:0] rd, output [3:0] r0);
  reg [3:0] mem [0:7];
  always @(posedge clk) if (we) mem[wa] <= wd;
  assign rd = mem[ra];
  assign r0 = mem[0];
endmodule

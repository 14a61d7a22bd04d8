// memory with synchronous read port and a constant-index write
module top(input clk, input we, input [1:0] addr, input [7:0] din, output reg [7:0] dout);
  reg [7:0] ram [3:0];
  always @(posedge clk) begin
    if (we) ram[addr] <= din;
    else ram[3] <= ram[3] + 8'd1;
    dout <= ram[addr];
  end
endmodule

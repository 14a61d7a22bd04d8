// synchronous FIFO: memory, pointers with wrap, full/empty flags, parameters
module top #(parameter W = 4, parameter DEPTH_LOG = 2) (
  input clk, input rst, input push, input pop, input [W-1:0] din,
  output [W-1:0] dout, output full, output empty, output [DEPTH_LOG:0] count);
  localparam DEPTH = 1 << DEPTH_LOG;
  reg [W-1:0] mem [0:DEPTH-1];
  reg [DEPTH_LOG:0] wp, rp;
  wire do_push = push && !full;
  wire do_pop = pop && !empty;
  always @(posedge clk) begin
    if (rst) begin
      wp <= 0;
      rp <= 0;
    end else begin
      if (do_push) begin
        mem[wp[DEPTH_LOG-1:0]] <= din;
        wp <= wp + 1'b1;
      end
      if (do_pop) rp <= rp + 1'b1;
    end
  end
  assign dout = mem[rp[DEPTH_LOG-1:0]];
  assign count = wp - rp;
  assign empty = wp == rp;
  assign full = (wp[DEPTH_LOG] != rp[DEPTH_LOG]) && (wp[DEPTH_LOG-1:0] == rp[DEPTH_LOG-1:0]);
endmodule

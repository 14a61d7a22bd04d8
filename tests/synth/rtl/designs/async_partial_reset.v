// asynchronous reset that leaves some registers alone (they hold while reset is active)
module top(input clk, input rst_n, input [3:0] d, output reg [3:0] q, output reg [3:0] data);
  always @(posedge clk or negedge rst_n)
    if (!rst_n) q <= 4'd0;
    else begin
      q <= q + 4'd1;
      data <= d ^ q;
    end
endmodule

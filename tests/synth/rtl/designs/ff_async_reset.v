// asynchronous active-low reset to a non-zero value
module top(input clk, input rst_n, input [3:0] d, output reg [3:0] q, output reg [1:0] p);
  always @(posedge clk or negedge rst_n)
    if (!rst_n) begin
      q <= 4'b1010;
      p <= 2'b01;
    end else begin
      q <= d;
      p <= q[1:0] + p;
    end
endmodule

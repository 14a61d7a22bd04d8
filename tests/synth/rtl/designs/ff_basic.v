// posedge counter with synchronous reset and enable
module top(input clk, input rst, input en, output reg [3:0] cnt, output wrap);
  always @(posedge clk) begin
    if (rst) cnt <= 4'd0;
    else if (en) cnt <= cnt + 4'd1;
  end
  assign wrap = cnt == 4'hf;
endmodule

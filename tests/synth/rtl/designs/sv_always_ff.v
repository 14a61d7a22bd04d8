// SystemVerilog spellings: logic, always_ff, always_comb, ++, +=
module top(input logic clk, input logic rst_n, input logic [3:0] a, output logic [7:0] acc, output logic [3:0] cnt);
  logic [3:0] ones;
  always_comb begin
    ones = 0;
    for (int i = 0; i < 4; i++) ones += a[i];
  end
  always_ff @(posedge clk or negedge rst_n)
    if (!rst_n) begin acc <= '0; cnt <= 4'd0; end
    else begin acc <= acc + ones; cnt <= cnt + 4'd1; end
endmodule

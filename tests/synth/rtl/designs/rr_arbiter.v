// round-robin arbiter: rotating priority with a for loop and a registered pointer
module top #(parameter N = 4) (input clk, input rst_n, input [N-1:0] req, output reg [N-1:0] gnt);
  reg [1:0] last;
  reg found;
  integer k;
  reg [1:0] idx;
  always @* begin
    gnt = 0;
    found = 0;
    for (k = 1; k <= N; k = k + 1) begin
      idx = last + k;
      if (!found && req[idx]) begin
        gnt[idx] = 1'b1;
        found = 1;
      end
    end
  end
  always @(posedge clk or negedge rst_n)
    if (!rst_n) last <= N - 1;
    else if (|gnt) begin
      for (k = 0; k < N; k = k + 1)
        if (gnt[k]) last <= k;
    end
endmodule

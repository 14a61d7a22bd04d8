module fsm (input logic clk, input logic rst_n, input logic go, output logic [2:0] led);
  typedef enum logic [1:0] {IDLE, RUN, DONE} state_t;
  state_t st;
  localparam int LIMIT = 5;
  logic [3:0] n;
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin st <= IDLE; n <= '0; end
    else unique case (st)
      IDLE: if (go) st <= RUN;
      RUN: begin n <= n + 4'd1; if (n == LIMIT) st <= DONE; end
      DONE: st <= IDLE;
      default: st <= IDLE;
    endcase
  end
  generate
    for (genvar i = 0; i < 3; i++) begin : g
      assign led[i] = (st == RUN) ^ n[i];
    end
  endgenerate
endmodule

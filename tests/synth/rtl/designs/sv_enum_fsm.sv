// An enum-typed FSM with always_ff / always_comb and unique case (a sequence detector).
module top(input logic clk, input logic rst, input logic din, output logic hit,
           output logic [1:0] st);
  typedef enum logic [1:0] {IDLE = 2'd0, S1 = 2'd1, S10 = 2'd2, S101 = 2'd3} state_t;
  state_t state, next;
  always_ff @(posedge clk) begin
    if (rst) state <= IDLE;
    else state <= next;
  end
  always_comb begin
    next = state;
    unique case (state)
      IDLE: next = din ? S1 : IDLE;
      S1:   next = din ? S1 : S10;
      S10:  next = din ? S101 : IDLE;
      S101: next = din ? S1 : S10;
    endcase
  end
  assign hit = (state == S101);
  assign st = state;
endmodule

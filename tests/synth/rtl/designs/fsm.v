// Moore FSM with localparam states, case next-state logic and registered state
module top(input clk, input rst, input x, output reg z, output [1:0] st);
  localparam IDLE = 2'd0, ONE = 2'd1, TWO = 2'd2, DONE = 2'd3;
  reg [1:0] state, next;
  always @* begin
    next = state;
    case (state)
      IDLE: if (x) next = ONE;
      ONE: next = x ? TWO : IDLE;
      TWO: next = x ? DONE : IDLE;
      DONE: if (!x) next = IDLE;
    endcase
  end
  always @(posedge clk) if (rst) state <= IDLE; else state <= next;
  always @* z = state == DONE;
  assign st = state;
endmodule

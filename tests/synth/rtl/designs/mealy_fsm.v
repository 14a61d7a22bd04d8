// Mealy FSM with one always block: state register, case on state and input, outputs registered
module top(input clk, input rst, input [1:0] in, output reg out, output reg [2:0] cnt);
  reg [1:0] st;
  always @(posedge clk) begin
    if (rst) begin
      st <= 2'd0;
      out <= 1'b0;
      cnt <= 3'd0;
    end else begin
      out <= 1'b0;
      case (st)
        2'd0: if (in == 2'b01) st <= 2'd1;
        2'd1: if (in == 2'b10) st <= 2'd2; else if (in == 2'b00) st <= 2'd0;
        2'd2: begin st <= 2'd0; out <= 1'b1; cnt <= cnt + 1'b1; end
        default: st <= 2'd0;
      endcase
    end
  end
endmodule

// case with default, several labels per item
module top(input [2:0] op, input [7:0] a, b, output reg [7:0] y);
  always @(*) begin
    case (op)
      3'd0: y = a + b;
      3'd1: y = a - b;
      3'd2, 3'd3: y = a & b;
      3'd4: y = a | b;
      3'd5: y = ~a;
      default: y = 8'h00;
    endcase
  end
endmodule

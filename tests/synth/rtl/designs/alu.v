// small ALU with flags
module top(input [2:0] op, input [7:0] a, b, output reg [7:0] y, output zero, output reg carry);
  always @* begin
    carry = 1'b0;
    case (op)
      3'b000: {carry, y} = a + b;
      3'b001: {carry, y} = {1'b0, a} - {1'b0, b};
      3'b010: y = a & b;
      3'b011: y = a | b;
      3'b100: y = a ^ b;
      3'b101: y = a << b[2:0];
      3'b110: y = $signed(a) >>> b[2:0];
      default: y = (a < b) ? 8'd1 : 8'd0;
    endcase
  end
  assign zero = y == 0;
endmodule

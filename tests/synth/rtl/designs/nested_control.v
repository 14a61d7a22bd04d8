// nested if inside case inside if, with default assignments first
module top(input [1:0] m, input [3:0] a, b, input e, output reg [3:0] y, output reg f);
  always @* begin
    y = 4'd0;
    f = 1'b0;
    if (e) begin
      case (m)
        2'd0: if (a > b) y = a; else y = b;
        2'd1: begin y = a - b; f = a < b; end
        2'd2: y[1:0] = a[3:2];
        default: ;
      endcase
    end else if (a[0]) y = ~b;
  end
endmodule

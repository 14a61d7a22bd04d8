// casex with x wildcards, and a full case without default
module top(input [3:0] a, input [1:0] s, output reg [1:0] y, output reg [3:0] z);
  always @* begin
    casex (a)
      4'b1xx0: y = 2'd3;
      4'b01x1: y = 2'd2;
      4'bxx11: y = 2'd1;
      default: y = 2'd0;
    endcase
    case (s)
      2'b00: z = a;
      2'b01: z = ~a;
      2'b10: z = {a[1:0], a[3:2]};
      2'b11: z = 4'hf;
    endcase
  end
endmodule

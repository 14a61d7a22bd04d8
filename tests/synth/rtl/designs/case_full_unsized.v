// a case on a narrow selector with unsized labels that cover every value is not a latch
// (issue 15), nor one on a concatenation (signed: designs_sim/case_full_signed.v)
module top(input [1:0] s, input a, b, input [3:0] d,
           output reg [3:0] y, output reg [2:0] w, output reg u);
  always @* begin
    case (s)
      0: y = d;
      1: y = ~d;
      2: y = d << 1;
      3: y = 4'hf;
    endcase
  end
  always @* begin
    case ({a, b})
      2'b00, 2'b11: w = 3'd1;
      'd1: w = 3'd2;
      2: w = 3'd4;
    endcase
  end
  always @*
    case (a)
      1'b0: u = b;
      1'b1: u = ~b;
    endcase
endmodule

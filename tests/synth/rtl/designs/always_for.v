// for loop with constant bounds in a combinational block (popcount, bit reverse)
module top(input [15:0] a, output reg [4:0] cnt, output reg [15:0] rev);
  integer i;
  always @* begin
    cnt = 0;
    for (i = 0; i < 16; i = i + 1) begin
      cnt = cnt + a[i];
      rev[15 - i] = a[i];
    end
  end
endmodule

// variable-index writes in a combinational block (decoder, bit set/clear)
module top(input [2:0] sel, input [7:0] v, input [1:0] k, output reg [7:0] onehot, output reg [7:0] w, output reg [7:0] p);
  always @* begin
    onehot = 8'd0;
    onehot[sel] = 1'b1;
    w = v;
    w[sel] = ~v[sel];
    p = v;
    p[k*2 +: 2] = 2'b10;
  end
endmodule

// flop initial values from declarations and initial blocks
module top(input clk, input d, output reg [3:0] q, output reg p);
  reg [2:0] c = 3'd5;
  initial begin
    q = 4'b1001;
    $display("init");
  end
  always @(posedge clk) begin
    q <= {q[2:0], d};
    c <= c + 3'd1;
    p <= c[2];
  end
endmodule

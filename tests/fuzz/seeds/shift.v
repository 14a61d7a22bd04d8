module shift (clock, d, q);
  input clock, d;
  output [1:0] q;
  reg r0, r1;
  assign q = {r1, r0};
  always @ (posedge clock) begin
    r0 <= d;
    r1 <= ~r0;
  end
  initial begin
    r0 <= 1'b0;
    r1 <= 1'b1;
  end
endmodule

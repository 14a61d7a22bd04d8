// names into generate blocks (issue 15): a generate-built ripple-carry adder reading
// STAGE[i-1].C, an unnamed block by its genblk name, the module's own name, assignments
// to such names and a hierarchical defparam
module fa(input a, b, ci, output s, co);
  assign s = a ^ b ^ ci;
  assign co = (a & b) | (ci & (a ^ b));
endmodule

module inv #(parameter W = 2) (input [W-1:0] a, output [W-1:0] y);
  assign y = ~a;
endmodule

module top(input [7:0] a, b, input cin, output [7:0] s, output cout, output z, output [3:0] v,
           output [2:0] w);
  genvar i;
  generate
    for (i = 0; i < 8; i = i + 1) begin : STAGE
      wire C;
      if (i == 0) begin : first
        fa u(.a(a[i]), .b(b[i]), .ci(cin), .s(s[i]), .co(C));
      end else begin : rest
        fa u(.a(a[i]), .b(b[i]), .ci(STAGE[i-1].C), .s(s[i]), .co(C));
      end
    end
  endgenerate
  assign cout = STAGE[7].C;
  if (1) begin
    wire x;
    assign x = a[0] & b[0];
  end
  assign z = genblk2.x ^ top.STAGE[3].C;
  for (i = 0; i < 4; i = i + 1) begin : P
    wire t;
  end
  for (i = 0; i < 4; i = i + 1) begin : Q
    assign P[i].t = a[i] ^ b[7 - i];
    assign v[i] = P[i].t;
  end
  inv g(.a(a[2:0]), .y(w));
  defparam g.W = 3;
endmodule

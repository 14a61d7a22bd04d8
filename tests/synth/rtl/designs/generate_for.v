// generate for with genvar, instances inside, named blocks
module inv_and(input a, b, output y);
  assign y = ~a & b;
endmodule
module top #(parameter N = 6) (input [N-1:0] a, b, output [N-1:0] y, output [N-1:0] p);
  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g
      inv_and u(.a(a[i]), .b(b[i]), .y(y[i]));
      if (i == 0) begin : first
        assign p[i] = a[i];
      end else begin : rest
        assign p[i] = p[i-1] ^ a[i];
      end
    end
  endgenerate
endmodule

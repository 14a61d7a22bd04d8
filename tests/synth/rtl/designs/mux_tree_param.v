// A parameterized multiplexer tree from generate levels.
module top(input [15:0] d, input [3:0] s, output y);
  genvar l, k;
  generate
    for (l = 0; l < 4; l = l + 1) begin : L
      wire [(16 >> (l + 1)) - 1:0] o;
      for (k = 0; k < (16 >> (l + 1)); k = k + 1) begin : N
        if (l == 0) begin : B
          assign o[k] = s[0] ? d[2*k + 1] : d[2*k];
        end else begin : U
          assign o[k] = s[l] ? L[l-1].o[2*k + 1] : L[l-1].o[2*k];
        end
      end
    end
  endgenerate
  assign y = L[3].o[0];
endmodule

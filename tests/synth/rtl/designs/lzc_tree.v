// Leading-zero count of 16 bits by a tree of generate levels (pairs merged per level).
module top(input [15:0] x, output [4:0] lz);
  genvar l, k;
  generate
    for (l = 0; l <= 4; l = l + 1) begin : LV
      localparam N = 16 >> l;     // nodes at this level
      wire [N-1:0] z;             // node all zero
      wire [N*5-1:0] c;           // leading zeros of the node (5 bits each)
      for (k = 0; k < N; k = k + 1) begin : ND
        if (l == 0) begin : LEAF
          assign z[k] = ~x[k];
          assign c[5*k +: 5] = {4'd0, ~x[k]};
        end else begin : MERGE
          wire zh = LV[l-1].z[2*k + 1];
          wire [4:0] ch = LV[l-1].c[5*(2*k + 1) +: 5];
          wire [4:0] cl = LV[l-1].c[5*(2*k) +: 5];
          assign z[k] = zh & LV[l-1].z[2*k];
          assign c[5*k +: 5] = zh ? ((5'd1 << (l - 1)) + cl) : ch;
        end
      end
    end
  endgenerate
  assign lz = LV[4].c[4:0];
endmodule

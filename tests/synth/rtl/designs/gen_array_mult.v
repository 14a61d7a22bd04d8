// Array multiplier built with nested generate loops: partial products and a carry-save
// row per multiplier bit, referencing the previous row by hierarchical generate names.
module top(input [4:0] a, input [4:0] b, output [9:0] p);
  genvar i, j;
  generate
    for (i = 0; i < 5; i = i + 1) begin : ROW
      wire [9:0] pp;
      wire [9:0] acc;
      for (j = 0; j < 10; j = j + 1) begin : COL
        if (j >= i && j < i + 5) begin : ON
          assign pp[j] = a[j - i] & b[i];
        end else begin : OFF
          assign pp[j] = 1'b0;
        end
      end
      if (i == 0) begin : FIRST
        assign acc = pp;
      end else begin : NEXT
        assign acc = ROW[i-1].acc + pp;
      end
    end
  endgenerate
  assign p = ROW[4].acc;
endmodule

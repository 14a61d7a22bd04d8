// generate if and case on parameters
module unit #(parameter MODE = 0) (input [3:0] a, b, output [3:0] y);
  generate
    case (MODE)
      0: assign y = a & b;
      1: assign y = a | b;
      default: assign y = a + b;
    endcase
  endgenerate
endmodule
module top #(parameter USE_XOR = 1) (input [3:0] a, b, output [3:0] y0, y1, y2, z);
  unit #(0) u0(a, b, y0);
  unit #(1) u1(a, b, y1);
  unit #(7) u2(a, b, y2);
  generate if (USE_XOR) begin : gx
    assign z = a ^ b;
  end else begin : gn
    assign z = a;
  end endgenerate
endmodule

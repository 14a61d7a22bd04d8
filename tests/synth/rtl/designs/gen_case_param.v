// generate case on a parameter chooses an implementation; two instances differ.
module reducer #(parameter KIND = 0, parameter W = 6) (input [W-1:0] x, output y);
  generate
    case (KIND)
      0: begin : G_AND assign y = &x; end
      1: begin : G_OR  assign y = |x; end
      2: begin : G_XOR assign y = ^x; end
      default: begin : G_MAJ assign y = (x[0] & x[1]) | (x[1] & x[2]) | (x[0] & x[2]); end
    endcase
  endgenerate
endmodule
module top(input [5:0] a, output [3:0] y);
  reducer #(.KIND(0)) r0(.x(a), .y(y[0]));
  reducer #(.KIND(1)) r1(.x(a), .y(y[1]));
  reducer #(.KIND(2)) r2(.x(a), .y(y[2]));
  reducer #(.KIND(7), .W(3)) r3(.x(a[5:3]), .y(y[3]));
endmodule

// two cell outputs wired together (a buffer and a NAND: parallel drivers), two on an output port
module md1 (a, b, c, clk, y, z);
  input a, b, c, clk;
  output y, z;
  wire n1, n2, n3, n4, n5;
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(clk), .D(a), .Q(n1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(clk), .D(b), .Q(n2));
  sky130_fd_sc_hd__buf_1 u1 (.A(n1), .X(n3));
  sky130_fd_sc_hd__nand2_1 u2 (.A(n2), .B(c), .Y(n3));
  sky130_fd_sc_hd__inv_1 u3 (.A(n3), .Y(n4));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(clk), .D(n4), .Q(n5));
  sky130_fd_sc_hd__buf_2 u4 (.A(n3), .X(z));
  sky130_fd_sc_hd__buf_1 u5 (.A(n5), .X(y));
  sky130_fd_sc_hd__inv_2 u6 (.A(n1), .Y(y));
endmodule

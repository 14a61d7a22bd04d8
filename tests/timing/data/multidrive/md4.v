// an inout port on a bus of two three-state drivers
module md4 (a, b, e1, e2, clk, io);
  input a, b, e1, e2, clk;
  inout io;
  wire n1, n2, n6, n7;
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(clk), .D(a), .Q(n1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(clk), .D(b), .Q(n2));
  sky130_fd_sc_hd__ebufn_1 t1 (.A(n1), .TE_B(e1), .Z(io));
  sky130_fd_sc_hd__ebufn_2 t2 (.A(n2), .TE_B(e2), .Z(io));
  sky130_fd_sc_hd__inv_1 u6 (.A(io), .Y(n6));
  sky130_fd_sc_hd__dfxtp_1 r4 (.CLK(clk), .D(n6), .Q(n7));
endmodule

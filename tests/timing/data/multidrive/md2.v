// a three-state bus (ebufn_1, ebufn_2) and an inout port driven by a three-state buffer
module md2 (a, b, e1, e2, clk, y, io);
  input a, b, e1, e2, clk;
  output y;
  inout io;
  wire n1, n2, bus, n4, n5;
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(clk), .D(a), .Q(n1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(clk), .D(b), .Q(n2));
  sky130_fd_sc_hd__ebufn_1 t1 (.A(n1), .TE_B(e1), .Z(bus));
  sky130_fd_sc_hd__ebufn_2 t2 (.A(n2), .TE_B(e2), .Z(bus));
  sky130_fd_sc_hd__inv_1 u3 (.A(bus), .Y(n4));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(clk), .D(n4), .Q(n5));
  sky130_fd_sc_hd__buf_1 u5 (.A(bus), .X(y));
  sky130_fd_sc_hd__ebufn_1 t3 (.A(n5), .TE_B(e1), .Z(io));
  sky130_fd_sc_hd__inv_1 u6 (.A(io), .Y(n6));
  sky130_fd_sc_hd__dfxtp_1 r4 (.CLK(clk), .D(n6), .Q(n7));
endmodule

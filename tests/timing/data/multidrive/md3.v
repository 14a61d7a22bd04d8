// nested multi-driver nets (m2's drivers both depend on m1), parallel register outputs
module md3 (a, b, c, d, clk, y, w);
  input a, b, c, d, clk;
  output y, w;
  wire n1, n2, n3, n4, m1, m2, d5, q2, d8, q5, q8;
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(clk), .D(a), .Q(n1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(clk), .D(b), .Q(n2));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(clk), .D(c), .Q(n3));
  sky130_fd_sc_hd__dfxtp_1 r4 (.CLK(clk), .D(d), .Q(n4));
  sky130_fd_sc_hd__buf_1 u1 (.A(n1), .X(m1));
  sky130_fd_sc_hd__inv_2 u2 (.A(n2), .Y(m1));
  sky130_fd_sc_hd__nand2_1 u3 (.A(m1), .B(n3), .Y(m2));
  sky130_fd_sc_hd__nor2_1 u4 (.A(n4), .B(m1), .Y(m2));
  sky130_fd_sc_hd__xor2_1 u7 (.A(m1), .B(a), .X(m2));
  sky130_fd_sc_hd__inv_1 u5 (.A(m2), .Y(d5));
  sky130_fd_sc_hd__dfxtp_1 r5 (.CLK(clk), .D(d5), .Q(q5));
  sky130_fd_sc_hd__buf_1 u6 (.A(m2), .X(y));
  sky130_fd_sc_hd__dfxtp_1 r6 (.CLK(clk), .D(n1), .Q(q2));
  sky130_fd_sc_hd__dfxtp_2 r7 (.CLK(clk), .D(n3), .Q(q2));
  sky130_fd_sc_hd__inv_1 u8 (.A(q2), .Y(d8));
  sky130_fd_sc_hd__dfxtp_1 r8 (.CLK(clk), .D(d8), .Q(q8));
  sky130_fd_sc_hd__buf_1 u9 (.A(q8), .X(w));
  sky130_fd_sc_hd__clkbuf_1 u10 (.A(q5), .X(w));
endmodule

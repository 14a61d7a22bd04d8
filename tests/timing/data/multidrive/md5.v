// a clock net driven by two clock buffers in parallel (a small clock mesh)
module md5 (a, b, clk, y);
  input a, b, clk;
  output y;
  wire ck, ck2, n1, n2, n3, n4;
  sky130_fd_sc_hd__clkbuf_2 c1 (.A(clk), .X(ck));
  sky130_fd_sc_hd__clkbuf_4 c2 (.A(clk), .X(ck));
  sky130_fd_sc_hd__clkinv_1 c3 (.A(ck), .Y(ck2));
  sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(ck), .D(a), .Q(n1));
  sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(ck), .D(b), .Q(n2));
  sky130_fd_sc_hd__nand2_1 u1 (.A(n1), .B(n2), .Y(n3));
  sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(ck2), .D(n3), .Q(n4));
  sky130_fd_sc_hd__dfxtp_1 r4 (.CLK(ck), .D(n4), .Q(y));
endmodule

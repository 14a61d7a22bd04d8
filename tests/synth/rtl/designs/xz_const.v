// x and z in constants become 0 (yosys: early-setundef)
module top(input [3:0] a, output [3:0] y, output [3:0] z);
  assign y = a & 4'b1x1z;
  assign z = a[0] ? 4'bxxxx : a;
endmodule

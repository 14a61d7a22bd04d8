// concatenation and replication
module top(input [3:0] a, input [1:0] b, input c, output [15:0] y, output [11:0] z);
  assign y = {a, {2{b}}, {4{c}}, 2'b01};
  assign z = {{3{a[3]}}, a, b, {2{c, 1'b0}}, 1'b1} ;
endmodule

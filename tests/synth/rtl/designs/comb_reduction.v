// reduction operators
module top(input [6:0] a, output [5:0] y);
  assign y = {&a, |a, ^a, ~&a, ~|a, ~^a};
endmodule

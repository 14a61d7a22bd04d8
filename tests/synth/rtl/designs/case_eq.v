// === and !== on 2-valued logic
module top(input [3:0] a, b, output e, n, k);
  assign e = a === b;
  assign n = a !== b;
  assign k = (a === 4'b1010);
endmodule

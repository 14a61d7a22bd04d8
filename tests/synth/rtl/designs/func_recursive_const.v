// A recursive constant function (automatic) sizing a parameter, and a loop-based function
// used at run time.
module top(input [7:0] a, output [7:0] y, output [3:0] w);
  function automatic integer fact(input integer n);
    fact = (n <= 1) ? 1 : n * fact(n - 1);
  endfunction
  localparam F = fact(4);           // 24
  function [3:0] ones(input [7:0] v);
    integer k;
    begin ones = 0; for (k = 0; k < 8; k = k + 1) ones = ones + v[k]; end
  endfunction
  assign y = a + F[7:0];
  assign w = ones(a);
endmodule

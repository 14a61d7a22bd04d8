// constant functions in parameter expressions; $clog2
module top #(parameter N = 13) (input [N-1:0] a, output [clog2f(N):0] y, output [$clog2(N)-1:0] z);
  function integer clog2f(input integer v);
    integer t;
    begin
      clog2f = 0;
      t = v - 1;
      while (t > 0) begin clog2f = clog2f + 1; t = t >> 1; end
    end
  endfunction
  localparam W = clog2f(N);
  assign y = a[W:0] + W;
  assign z = a[3:0];
endmodule

// case statements inside functions, function calling a function, function in a generate loop
module top(input [7:0] a, output [7:0] y);
  function [1:0] enc(input [3:0] x);
    casez (x)
      4'b1???: enc = 2'd3;
      4'b01??: enc = 2'd2;
      4'b001?: enc = 2'd1;
      default: enc = 2'd0;
    endcase
  endfunction
  function [3:0] pair(input [7:0] x);
    pair = {enc(x[7:4]), enc(x[3:0])};
  endfunction
  genvar g;
  for (g = 0; g < 2; g = g + 1) begin : lane
    assign y[g*4 +: 4] = pair(a << g);
  end
endmodule

// variables that only initial blocks drive are constants (lookup tables; issue 15)
module top(input [1:0] a, input [3:0] b, input [2:0] c, output y, output [7:0] sq,
           output [7:0] t, output [3:0] z, output [7:0] w);
  reg [3:0] lut;
  initial lut = 4'b0110;
  assign y = lut[a];

  function [7:0] square(input [3:0] x);
    square = x * x;
  endfunction
  reg [7:0] squares [0:15];
  integer k;
  initial begin
    for (k = 0; k < 16; k = k + 1)
      squares[k] = square(k);
  end
  assign sq = squares[b];

  reg [7:0] tab [0:7];
  integer n;
  initial begin
    for (n = 0; n < 8; n = n + 1)
      if (n[0]) tab[n] = 8'hc0 | n;
      else tab[n] = n * 3;
  end
  assign t = tab[c];

  reg [3:0] part = 4'b1001;      // a declaration initialiser counts too
  assign z = part ^ {2'b0, a};

  reg [7:0] gray;
  initial begin : g
    integer j;
    gray = 0;
    for (j = 0; j < 8; j = j + 1) gray[j] = j[0] ^ j[1];
  end
  assign w = gray;
endmodule

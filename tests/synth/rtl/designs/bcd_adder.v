// Two-digit BCD adder: a generate loop of digit adders with decimal correction.
module top(input [7:0] a, input [7:0] b, input cin, output [7:0] s, output cout);
  wire [2:0] c;
  assign c[0] = cin;
  genvar i;
  generate
    for (i = 0; i < 2; i = i + 1) begin : DIGIT
      wire [4:0] raw = a[4*i +: 4] + b[4*i +: 4] + c[i];
      wire fix = raw > 5'd9;
      wire [4:0] adj = fix ? raw + 5'd6 : raw;
      assign s[4*i +: 4] = adj[3:0];
      assign c[i + 1] = fix;
    end
  endgenerate
  assign cout = c[2];
endmodule

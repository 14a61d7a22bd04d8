// Verilog-1995 sensitivity lists for combinational logic
module top(input a, b, c, input [1:0] s, output reg y, output reg z);
  always @(a or b or c or s) begin
    if (s == 2'b00) y = a;
    else if (s == 2'b01) y = b;
    else y = c;
  end
  always @(a, b) z = a ~^ b;
endmodule

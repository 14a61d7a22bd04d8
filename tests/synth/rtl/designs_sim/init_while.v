// an initial block with a while loop, a case and a task fills a table
// (Yosys 0.23 takes while loops only in constant functions: judged by iverilog)
module top(input [2:0] a, output [7:0] y, output [3:0] c);
  reg [7:0] tab [0:7];
  reg [3:0] cnt;
  integer n;
  task put(input integer k, input [7:0] v);
    tab[k] = v;
  endtask
  initial begin
    n = 0;
    cnt = 0;
    while (n < 8) begin
      case (n % 3)
        0: put(n, 8'h10 + n);
        1: put(n, ~n);
        default: begin put(n, n << 4); cnt = cnt + 1; end
      endcase
      n = n + 1;
    end
  end
  assign y = tab[a];
  assign c = cnt;
endmodule

// Interfaces with modports, flattened (issue 15): a parameterized bus between a registered
// producer and two consumers. (Yosys 0.23 cannot judge logic inside an interface;
// tests/synth/rtl/test_semantics.py checks that by simulation.)
interface stream_if #(parameter W = 8);
  logic [W-1:0] data;
  logic valid;
  modport src(output data, valid);
  modport dst(input data, valid);
endinterface

module producer #(parameter W = 8) (input clk, input [W-1:0] x, input go, stream_if.src s);
  always_ff @(posedge clk) begin
    s.data <= x + 1'b1;
    s.valid <= go;
  end
endmodule

module consumer #(parameter W = 8) (stream_if.dst s, input [W-1:0] k, output [W-1:0] y,
                                    output p);
  assign y = s.valid ? (s.data ^ k) : '0;
  assign p = ^s.data & s.valid;
endmodule

module top(input clk, input [5:0] x, input go, input [5:0] k1, k2,
           output [5:0] y1, y2, output p1);
  stream_if #(.W(6)) bus();
  producer #(.W(6)) u_p(.clk(clk), .x(x), .go(go), .s(bus));
  consumer #(.W(6)) u_c1(.s(bus), .k(k1), .y(y1), .p(p1));
  consumer #(.W(6)) u_c2(.s(bus), .k(k2), .y(y2), .p());
endmodule

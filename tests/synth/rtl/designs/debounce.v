// A debouncer: a counter that must see the input stable for LIMIT cycles ($clog2 width).
module top #(parameter LIMIT = 5) (input clk, input rst, input noisy, output reg clean);
  localparam W = $clog2(LIMIT + 1);
  reg [W-1:0] cnt;
  reg last;
  always @(posedge clk) begin
    if (rst) begin cnt <= 0; clean <= 0; last <= 0; end
    else begin
      last <= noisy;
      if (noisy != last) cnt <= 0;
      else if (cnt != LIMIT[W-1:0]) cnt <= cnt + 1'b1;
      else clean <= last;
    end
  end
endmodule

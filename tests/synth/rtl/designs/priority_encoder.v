// Priority encoder by a for loop where the last hit wins, plus a valid flag.
module top(input [11:0] req, output reg [3:0] idx, output reg valid);
  integer k;
  always @* begin
    idx = 4'd0;
    valid = 1'b0;
    for (k = 0; k < 12; k = k + 1)
      if (req[k]) begin
        idx = k[3:0];
        valid = 1'b1;
      end
  end
endmodule

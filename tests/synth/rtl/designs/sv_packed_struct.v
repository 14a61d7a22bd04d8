// SystemVerilog packed structs and unions: member reads and writes (issue 15)
module top(input [7:0] a, input [3:0] b, input clk, output [7:0] y, output [3:0] z,
           output [7:0] q);
  typedef struct packed { logic [3:0] hi; logic [3:0] lo; } pair_t;
  typedef union packed { pair_t p; logic [7:0] w; } word_t;
  typedef struct packed { logic v; pair_t d; logic [2:0] tag; } entry_t;
  pair_t s;
  word_t u;
  entry_t e;
  always_comb begin
    s = a;
    s.lo = ~a[3:0];
    u.w = a;
    u.p.hi = b;
    e = '0;
    e.d = s;
    e.v = ^a;
    e.tag = b[2:0];
  end
  assign y = {s.hi, s.lo} ^ u.w;
  assign z = u.p.hi ^ s.lo ^ e.d.lo ^ {e.v, e.tag};
  pair_t r;
  always_ff @(posedge clk) begin
    r.hi <= b;
    r.lo <= r.hi;
  end
  assign q = r;
endmodule

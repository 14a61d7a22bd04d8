// A packed array of packed structs: whole entries, fields and a variable-index read.
module top(input logic [1:0] sel, input logic [3:0] v, input logic f,
           output logic [3:0] val, output logic flag, output logic [19:0] all);
  typedef struct packed { logic flag; logic [3:0] val; } entry_t;
  entry_t [3:0] tab;
  entry_t pick;
  assign tab[0] = {f, v};
  assign tab[1] = {~f, v + 4'd1};
  assign tab[2].val = ~v;
  assign tab[2].flag = f;
  assign tab[3] = {f ^ v[0], v ^ 4'h5};
  assign pick = tab[sel];
  assign val = pick.val;
  assign flag = pick.flag;
  assign all = tab;
endmodule

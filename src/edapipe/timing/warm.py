"""Compile the timing kernels once on a two-inverter design (see edapipe.warm)."""

from __future__ import annotations

_LIB = """library (warm) {
  time_unit : "1ns"; capacitive_load_unit (1, pf);
  lu_table_template (t) { variable_1 : input_net_transition;
    variable_2 : total_output_net_capacitance; index_1 ("0.1, 0.5"); index_2 ("0.01, 0.05"); }
  cell (INV) { pin (A) { direction : input; capacitance : 0.001; }
    pin (Y) { direction : output; function : "!A";
      timing () { related_pin : "A"; timing_sense : negative_unate;
        cell_rise (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        cell_fall (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        rise_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); }
        fall_transition (t) { values ("0.1, 0.2", "0.3, 0.4"); } } } }
}"""
_NETLIST = ("module w(a, y); input a; output y; wire n;\n"
            "INV u1 (.A(a), .Y(n)); INV u2 (n, y); endmodule")
_SDC = ("create_clock -name c -period 1\nset_input_delay 0 -clock c [all_inputs]\n"
        "set_output_delay 0 -clock c [all_outputs]\n")


def warm() -> None:
    from edapipe.timing.graph import build_graph
    from edapipe.timing.liberty import parse_liberty_text
    from edapipe.timing.netlist import read_netlist_text
    from edapipe.timing.sdc import DesignNames, read_sdc_text
    from edapipe.timing.search import analyze
    from edapipe.timing import search_kernels as K
    import numpy as np

    lib = parse_liberty_text(_LIB, "warm.lib")
    netlist = read_netlist_text(_NETLIST, "warm.v",
                                lambda c: list(lib.cells[c].pins) if c in lib.cells else None)
    names = DesignNames([(p.name, p.direction) for p in netlist.ports],
                        {i.name: i.cell for i in netlist.instances}, [], set())
    sdc = read_sdc_text(_SDC, "warm.sdc", names, lib.time_unit, lib.cap_unit)
    graph = build_graph(netlist, [lib], sdc)
    analyze(graph, sdc, [lib], engine="numba")  # the kernels deep designs use
    K.table_values(np.zeros(1, np.int64), np.zeros(1), np.zeros(1), np.zeros(1), *graph.tables)

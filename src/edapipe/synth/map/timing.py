"""Timing of a mapped netlist by the timing engine itself (one source of truth).

`analyze_netlist` reads the written Verilog with `edapipe sta`'s reader and times it with the
given SDC, or, without one, under the conditions ABC's `stime` and the shared peers assume: a
virtual clock, input and output delays 0, ideal input slews, no output load.
"""

from __future__ import annotations

VIRTUAL_SDC = ("create_clock -name vclk -period {period} {ports}\n"
               "set_input_delay 0 -clock vclk {inputs}\n"
               "set_output_delay 0 -clock vclk [all_outputs]\n")


def analyze_netlist(verilog: str, filename: str, libs, sdc_text: str | None = None,
                    sdc_name: str = "<sdc>", clock: str | None = None):
    """Time a netlist; without SDC the virtual clock is on the port `clock` when given (the
    flip-flops' clock), and that port has no input delay."""
    from edapipe.timing.netlist import read_netlist_text
    from edapipe.timing.sta import pin_lister

    netlist = read_netlist_text(verilog, filename, pin_lister(libs))
    return _analyze(netlist, libs, sdc_text, sdc_name, clock)


def analyze_cells(net, libs, sdc_text: str | None = None, sdc_name: str = "<sdc>",
                  clock: str | None = None):
    """analyze_netlist of a CellNetlist without writing and parsing its Verilog (what the
    sizing loop times again and again): the same nets, ports and instances the reader
    would make of `net.verilog()` (a test checks they time the same)."""
    from edapipe.timing.netlist import Instance, Netlist, Port

    ids: dict[str, int] = {}
    names = ["1'b0", "1'b1"]

    def net_id(name: str) -> int:
        k = ids.get(name)
        if k is None:
            k = ids[name] = len(names)
            names.append(name)
        return k

    for port in net.inputs:
        net_id(port)
    alias = dict(net.assigns)            # output port -> the net it is wired to
    ports = [Port(p, "input", ids[p]) for p in net.inputs]
    for p in net.outputs:
        src = p
        seen = 0
        while src in alias and seen < len(alias):
            src = alias[src]
            seen += 1
        ports.append(Port(p, "output", net_id(src)))
    instances = [Instance(i.name, i.cell, {pin: net_id(n) for pin, n in i.conns}, 0)
                 for i in net.instances]
    netlist = Netlist(net.module, "<mapped>", names, ports, instances)
    return _analyze(netlist, libs, sdc_text, sdc_name, clock)


def _analyze(netlist, libs, sdc_text, sdc_name, clock):
    from edapipe.timing.graph import build_graph
    from edapipe.timing.sdc import read_sdc_text
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import design_names

    if sdc_text is None:
        # a period far beyond any path, in the library's time unit
        has_clock = clock is not None and any(p.name == clock for p in netlist.ports)
        sdc_text = VIRTUAL_SDC.format(
            period=1e6, ports=f"[get_ports {{{clock}}}]" if has_clock else "",
            inputs=("[get_ports {" + " ".join(p.name for p in netlist.ports
                                              if p.direction == "input" and p.name != clock)
                    + "}]" if has_clock else "[all_inputs]"))
    sdc = read_sdc_text(sdc_text, sdc_name, design_names(netlist, libs), libs[0].time_unit,
                        libs[0].cap_unit)
    graph = build_graph(netlist, libs, sdc)
    return analyze(graph, sdc, libs)


def worst_arrival(an) -> float:
    """The latest data arrival at any setup endpoint (seconds)."""
    from edapipe.timing.search import INF

    vals = [e.arrival[0] for e in an.endpoints if e.slack[0] < INF]
    return max(vals) if vals else 0.0

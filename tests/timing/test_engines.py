"""The two propagation engines (numpy level sweeps, numba kernels) give the same numbers;
deep designs take the numba path and need no recursion."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.timing.graph import build_graph
from edapipe.timing.liberty import parse_liberty_text
from edapipe.timing.netlist import read_netlist_text
from edapipe.timing.sdc import read_sdc_text
from edapipe.timing.search import NUMPY_MAX_LEVELS, analyze
from edapipe.timing.sta import StaParams, design_names, load
from tests.timing.conftest import DATA, LIB, design_files, need_shared


def _same(a, b):
    assert np.array_equal(a.slew_max, b.slew_max) and np.array_equal(a.slew_min, b.slew_min)
    sa = {e.name: tuple(e.slack) for e in a.endpoints}
    sb = {e.name: tuple(e.slack) for e in b.endpoints}
    assert sa.keys() == sb.keys()
    for k in sa:
        assert sa[k] == pytest.approx(sb[k], rel=1e-12, abs=1e-18)
    fa = np.where(np.isfinite(a.node_slack), a.node_slack, 0.0)
    fb = np.where(np.isfinite(b.node_slack), b.node_slack, 0.0)
    assert np.allclose(fa, fb, rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("name", ["gcd_sky130hd", "arbiter"])
def test_engines_agree_on_shared_designs(name):
    need_shared()
    v, sdc = design_files(name)
    graph, cons, libs = load(StaParams(str(v), (str(LIB),), str(sdc)))
    a = analyze(graph, cons, libs, "numpy")
    b = analyze(graph, cons, libs, "numba")
    assert a.engine.name == "numpy" and b.engine.name == "numba"
    _same(a, b)


def test_deep_chain_uses_numba_and_agrees():
    lib = parse_liberty_text((DATA / "mini.lib").read_text(), "mini.lib")
    n = NUMPY_MAX_LEVELS + 200
    body = "\n".join(f"  INV u{k} (.A(n{k}), .Y(n{k + 1}));" for k in range(n))
    wires = ", ".join(f"n{k}" for k in range(1, n))
    text = (f"module deep(n0, n{n});\n  input n0; output n{n};\n  wire {wires};\n{body}\n"
            "endmodule\n")
    netlist = read_netlist_text(text, "deep.v", lambda c: list(lib.cells[c].pins))
    cons = read_sdc_text("create_clock -name v -period 1000\n"
                         "set_input_delay 0 -clock v [all_inputs]\n"
                         "set_output_delay 0 -clock v [all_outputs]\n", "deep.sdc",
                         design_names(netlist, [lib]), lib.time_unit, lib.cap_unit)
    graph = build_graph(netlist, [lib], cons)
    auto = analyze(graph, cons, [lib])
    assert auto.engine.name == "numba" and auto.levels == n
    _same(auto, analyze(graph, cons, [lib], "numpy"))


def test_engines_agree_with_through_exception_states(tmp_path):
    """-through exceptions seed later states' arrivals at inner nodes (the engines' `keep`
    mode): both engines, and the slack through every node, agree."""
    need_shared()
    v, sdc = design_files("gcd_sky130hd")
    text = sdc.read_text() + ("set_multicycle_path 2 -through [get_pins _204_/Y]\n"
                              "set_max_delay 0.8 -through [get_nets _083_]\n"
                              "set_false_path -rise_through [get_pins _253_/Y] "
                              "-through [get_pins _254_/A]\n")
    path = tmp_path / "t.sdc"
    path.write_text(text)
    graph, cons, libs = load(StaParams(str(v), (str(LIB),), str(path)))
    a = analyze(graph, cons, libs, "numpy")
    b = analyze(graph, cons, libs, "numba")
    assert len(a.launches) > 1 and any(r.state for r in a.launches)
    _same(a, b)

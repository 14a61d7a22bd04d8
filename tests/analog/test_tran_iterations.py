"""Transient Newton iterations as ngspice counts them (against ngspice; skipped without it).

ngspice's NIiter raises every iteration limit below 100 to 100, so ITL4 (10) never rejects a
time point that converges within 100 iterations. An ECL Schmitt trigger (ngspice's own
tests/general/schmitt.cir, BSD licence) switches inside one 10 ns step: with ten iterations
that step was cut by 8 and the switch landed 8 ns late (300.5 ns against 294.5 ns, linear
crossing of the midpoint); now the grids agree point for point up to the switch.
"""

from __future__ import annotations

import numpy as np

from edapipe.analog.analyses import Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import flatten
from edapipe.analog.parser import parse_deck
from tests.analog.test_live_ngspice import ngspice_run

SCHMITT = """schmitt ckt - ecl compatible schmitt trigger
.tran 10ns 1000ns
vin 1 0 pulse(-1.6 -1.2 10ns 400ns 400ns 100ns 10000ns)
vee 8 0 -5
rin 1 2 50
rc1 0 3 50
r1 3 5 185
r2 5 8 760
rc2 0 6 100
re 4 8 260
rth1 7 8 125
rth2 7 0 85
cload 7 0 5pf
q1 3 2 4 qstd off
q2 6 5 4 qstd
q3 0 6 7 qstd
q4 0 6 7 qstd
.model qstd npn(level=1 is=1.0e-16 bf=50 br=0.1 rb=50 rc=10 tf=0.12ns tr=5ns
+  cje=0.4pf pe=0.8 me=0.4 cjc=0.5pf pc=0.8 mc=0.333 ccs=1pf va=50)
.end
"""


def _falling_crossing(t: np.ndarray, v: np.ndarray, level: float) -> float:
    k = int(np.argmax((v[:-1] >= level) & (v[1:] < level)))
    return float(t[k] + (level - v[k]) * (t[k + 1] - t[k]) / (v[k + 1] - v[k]))


def test_ecl_schmitt_switches_in_the_step_ngspice_takes(tmp_path):
    ref = ngspice_run(tmp_path, SCHMITT, "schmitt.cir")
    circ = flatten(parse_deck(SCHMITT, "schmitt.cir"))
    res = run_analysis(Simulator(circ), parse_analysis(circ.analyses[0]))
    t = res.scale
    names = [n.lower() for n in res.names]
    v3, v5 = (res.data[:, names.index(f"v({k})")] for k in (3, 5))
    t_ng = ref["time"]
    # the grid is ngspice's up to and through the switch (point 40, 299.6 ns)
    n = int(np.argmax(t_ng > 3.0e-7))
    assert np.allclose(t[:n], t_ng[:n], rtol=1e-9, atol=0.0)
    level = -0.5
    assert abs(_falling_crossing(t, v3, level) - _falling_crossing(t_ng, ref["v(3)"], level)) \
        < 0.2e-9
    for ours, theirs in ((v3, ref["v(3)"]), (v5, ref["v(5)"])):
        swing = np.ptp(theirs)
        assert np.max(np.abs(np.interp(t_ng, t, ours) - theirs)) < 0.02 * swing

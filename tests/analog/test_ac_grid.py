"""The .ac frequency grid as ngspice 39 builds it (acan.c): a DEC sweep spread to end on
FSTOP (floor(N decades) steps), OCT and LIN as written; .noise keeps N per decade."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.analog.results import ac_frequencies
from tests.analog.test_live_ngspice import ngspice_run
from tests.analog.test_mos2 import _ours

RC = "rc\nv1 a 0 ac 1\nr1 a b 1k\nc1 b 0 1n\n.ac {sweep}\n.end\n"


@pytest.mark.parametrize("sweep", ["dec 20 1meg 5g", "dec 10 1 15", "dec 10 1 10.01",
                                   "dec 10 1 9.99", "dec 10 1k 2k", "dec 100 1k 2k",
                                   "dec 7 1k 1meg", "dec 20 1meg 10g", "oct 3 1 10",
                                   "lin 11 1k 11k"])
def test_ac_frequencies_match_ngspice(tmp_path, sweep):
    ref = ngspice_run(tmp_path, RC.format(sweep=sweep), complex_values=True)
    res = _ours(RC.format(sweep=sweep), "ac")
    assert len(res.scale) == len(ref["frequency"])
    assert np.allclose(res.scale, ref["frequency"].real, rtol=1e-13, atol=0)
    assert np.allclose(res.data[:, res.names.index("v(b)")], ref["v(b)"], rtol=1e-9)


def test_noise_keeps_the_plain_decade_grid():
    f = ac_frequencies("dec", 20, 1e6, 5e9)
    assert len(f) == 74 and f[-1] == pytest.approx(10 ** (73 / 20) * 1e6)
    g = ac_frequencies("dec", 20, 1e6, 5e9, land=True)
    assert len(g) == 74 and g[-1] == pytest.approx(5e9)


def test_sub_step_dec_sweep_is_one_point():
    # ngspice 39 loops for ever on `.ac dec 3 1k 2k` (no whole step): one point here
    assert list(ac_frequencies("dec", 3, 1e3, 2e3, land=True)) == [1e3]

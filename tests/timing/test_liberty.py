"""Liberty reader: syntax, units, tables, defaults, functions, errors with locations."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from edapipe.errors import InputError
from edapipe.timing import boolexpr
from edapipe.timing.liberty import parse_liberty_text, read_liberty
from tests.timing.conftest import DATA, LIB, need_shared


def test_mini_library_units_and_tables():
    lib = parse_liberty_text((DATA / "mini.lib").read_text(), "mini.lib")
    assert lib.time_unit == 1e-9 and lib.cap_unit == 1e-12 and lib.res_unit == 1e3
    inv = lib.cells["INV"]
    assert inv.pins["A"].cap_rise == pytest.approx(1e-15)
    arc = inv.pins["Y"].timing[0]
    assert arc.sense == "negative_unate"
    t = arc.tables["cell_rise"]
    # values are seconds, axes are seconds and farads, continuation lines joined
    assert np.allclose(t.values, [[0.1e-9, 0.2e-9], [0.3e-9, 0.4e-9]])
    assert np.allclose(t.axis2, [0.01e-12, 0.05e-12])
    buf = lib.cells["BUF"]
    assert (buf.pins["A"].cap_rise, buf.pins["A"].cap_fall) == pytest.approx((3e-15, 4e-15))
    # a missing timing_sense is derived from the function
    assert buf.pins["Y"].timing[0].sense == "positive_unate"
    assert lib.cells["NAND2"].pins["Y"].timing[1].sense == "negative_unate"
    assert lib.cells["DFF"].sequential[0]["kind"] == "ff"


def test_gzip_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "mini.lib.gz"
    path.write_bytes(gzip.compress((DATA / "mini.lib").read_bytes()))
    a = read_liberty(path)
    assert list((tmp_path / "cache" / "edapipe" / "liberty").glob("*/*.pkl"))
    b = read_liberty(path)  # from the cache
    assert sorted(a.cells) == sorted(b.cells)


@pytest.mark.parametrize("text, line, what", [
    ("library (x) {\n  time_unit : \"1ns\";\n  cell (A) {\n    area : 1\n", 5, "missing"),
    ("library (x) {\n  cell (A) {\n    pin (Y) { direction : output;\n"
     "      timing () { related_pin : \"B\"; } }\n  }\n}\n", 2, "lacks"),
    ("library (x) {\n  cell (A) {\n    area : @@;\n  }\n}\n", 3, "number"),
    ("library (x) {\n  cell (A) {\n    pin (Y) { function : \"A &| B\"; }\n  }\n}\n", 3,
     "function"),
    ("library (x) {\n  time_unit : \"1 parsec\";\n}\n", 2, "unit"),
])
def test_errors_have_locations(text, line, what):
    with pytest.raises(InputError) as err:
        parse_liberty_text(text, "bad.lib")
    assert err.value.file == "bad.lib" and err.value.line == line
    assert what in str(err.value)


def test_boolean_functions():
    f = boolexpr.parse_function("(A1&A2) | !B1")
    assert boolexpr.unateness(f, "A1") == "positive_unate"
    assert boolexpr.unateness(f, "B1") == "negative_unate"
    assert boolexpr.unateness(boolexpr.parse_function("A^B"), "A") == "non_unate"
    assert boolexpr.unateness(boolexpr.parse_function("A B'"), "B") == "negative_unate"
    assert boolexpr.variables(boolexpr.parse_function("(S&A1)|(!S&A0)")) == ["S", "A1", "A0"]


def test_sky130_library():
    need_shared()
    lib = read_liberty(LIB)
    assert len(lib.cells) == 428
    xnor = lib.cells["sky130_fd_sc_hd__xnor2_1"].pins["Y"]
    senses = sorted(a.sense for a in xnor.timing if a.related_pin == "A")
    assert senses == ["negative_unate", "positive_unate"]
    assert lib.wire_loads["Small"].fanout_length[0] == (1, 23.2746)
    ops = lib.operating_conditions[lib.default_operating_conditions]
    assert (ops.voltage, ops.temperature, ops.tree_type) == (1.8, 25.0, "balanced_tree")

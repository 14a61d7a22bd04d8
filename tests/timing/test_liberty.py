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


def test_cached_cells_load_when_used(tmp_path, monkeypatch):
    """A cached library unpickles a cell when it is first looked up (LazyCells), with the
    numbers of the parsed one; it pickles whole, and its reading signature is the parsed
    library's (corners compare libraries by it without loading every cell)."""
    import pickle

    from edapipe.timing.graph import merged_cells
    from edapipe.timing.liberty import LazyCells

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "mini.lib"
    path.write_bytes((DATA / "mini.lib").read_bytes())
    parsed = read_liberty(path)
    cached = read_liberty(path)
    assert isinstance(cached.cells, LazyCells) and not isinstance(parsed.cells, LazyCells)
    assert not cached.cells._cells                       # nothing unpickled yet
    assert list(cached.cells) == list(parsed.cells) and len(cached.cells) == len(parsed.cells)
    assert "NAND2" in cached.cells and "NOPE" not in cached.cells
    assert cached.reading_signature == parsed.reading_signature is not None
    nand = cached.cells["NAND2"]
    assert list(cached.cells._cells) == ["NAND2"]        # that cell alone
    want = parsed.cells["NAND2"]
    assert nand.area == want.area and list(nand.pins) == list(want.pins)
    for p, q in zip(nand.pins["Y"].timing, want.pins["Y"].timing):
        for kind in q.tables:
            assert np.array_equal(p.tables[kind].values, q.tables[kind].values)
            assert np.array_equal(p.tables[kind].axis2, q.tables[kind].axis2)
    again = pickle.loads(pickle.dumps(cached))
    assert again.cells["DFF"].sequential == parsed.cells["DFF"].sequential
    with pytest.raises(KeyError):
        cached.cells["NOPE"]
    # a view over several libraries: the first that has a name wins, names in order
    merged = merged_cells([cached, parsed])
    assert merged["NAND2"] is nand and list(merged) == list(parsed.cells)
    assert merged.get("NOPE") is None and len(merged) == len(parsed.cells)


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

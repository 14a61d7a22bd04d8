"""`get_lib_cells library/cell`: the library part is matched against the libraries' names
(wildcards, also under -regexp), the cell part against those libraries' cells, as OpenSTA's
get_lib_cells (get_libs, find_liberty_cells_matching); checked against live `sta`."""

from __future__ import annotations

import pytest

from edapipe.errors import InputError
from tests.timing.conftest import design_files, need_shared
from tests.timing.test_query import _opensta, _ours

LIBN = "sky130_fd_sc_hd__tt_025C_1v80"
FOUND = [
    f"get_lib_cells {LIBN}/sky130_fd_sc_hd__inv_*",
    "get_lib_cells sky130*/sky130_fd_sc_hd__nand2_?",
    f"get_lib_cells {{{LIBN}/sky130_fd_sc_hd__inv_2 {LIBN}/sky130_fd_sc_hd__buf_1}}",
    f"get_lib_cells -regexp {{{LIBN}/sky130_fd_sc_hd__o21a.*}}",
    # the library part is a wildcard pattern even with -regexp (OpenSTA's get_libs)
    "get_lib_cells -regexp {sky130_fd_sc_hd__tt_*/sky130_fd_sc_hd__xor2_.}",
]
EMPTY = [
    "get_lib_cells -quiet nolib/sky130_fd_sc_hd__inv_2",
    f"get_lib_cells -quiet {LIBN}/nocell",
    f"get_lib_cells -quiet {LIBN}/sky130_fd_sc_hd__inv_2/A",
    "get_lib_cells -quiet -regexp {sky130_fd_sc_hd__tt.*/sky130_fd_sc_hd__xor2_.}",
]


def test_library_and_cell_patterns_against_opensta(tmp_path):
    need_shared()
    v, _ = design_files("gcd_sky130hd")
    ours = _ours(v, FOUND + EMPTY)
    assert ours == _opensta(v, "gcd", FOUND + EMPTY, tmp_path)
    assert all(ours[:len(FOUND)]) and not any(ours[len(FOUND):])


@pytest.mark.parametrize("query, message", [
    ("get_lib_cells nolib/sky130_fd_sc_hd__inv_2", "no library named 'nolib'"),
    ("get_lib_cells sky130_fd_sc_hd__tt_025C_1v80/nocell", "no library cell matches"),
    ("get_lib_cells sky130_fd_sc_hd__tt_025C_1v80/sky130_fd_sc_hd__inv_2/A",
     "library/cell not found"),
])
def test_unmatched_library_or_cell_is_a_located_error(query, message):
    """OpenSTA warns and returns nothing (a constraint on it would then do nothing without
    a word); here it is an error at the pattern unless -quiet."""
    need_shared()
    v, _ = design_files("gcd_sky130hd")
    with pytest.raises(InputError) as err:
        _ours(v, [query])
    assert message in str(err.value) and "q.sdc:1:" in str(err.value)

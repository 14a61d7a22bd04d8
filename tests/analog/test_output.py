"""Output cards: .save/.probe (which vectors the writers get) and .print (tables), unit level
(analog/output.py). The command-line behaviour is in tests/cli/test_spice.py."""

from __future__ import annotations

import time

import numpy as np
import pytest

from edapipe.analog import output
from edapipe.analog.analyses import Result
from edapipe.analog.parser import Card, parse_deck
from edapipe.errors import InputError


def cards(*lines):
    return [Card(text, "t.cir", k + 1) for k, text in enumerate(lines)]


def tran(names=("v(a)", "v(b)", "i(v1)")):
    t = np.linspace(0, 1e-3, 5)
    data = np.column_stack([t * (k + 1) - 1e-4 * k for k in range(len(names))])
    return Result("tran", "time", t, list(names), data)


def test_deck_collects_output_cards():
    deck = parse_deck("t\nV1 a 0 1\n.save v(a)\n.probe i(v1)\n.print tran v(a)\n.end\n", "t.cir")
    assert [c.text.split()[0].lower() for c in deck.outputs] == [".save", ".probe", ".print"]


def test_save_items_forms_and_order():
    outs = output.parse_outputs(cards(".save V(B), a", ".probe i(V1) v1#branch"))
    assert [v.label for v, _ in outs.saves] == ["v(b)", "v(a)", "i(v1)", "i(v1)"]
    sel, warns = output.select_saved([tran()], outs)
    assert sel[0].names == ["v(b)", "v(a)", "i(v1)"] and not warns
    assert np.array_equal(sel[0].data[:, 0], tran().data[:, 1])
    assert np.array_equal(sel[0].scale, tran().scale)


def test_save_all_and_no_save_keep_everything():
    res = [tran()]
    for lines in ((), (".save v(a)", ".save all"), (".save all",)):
        sel, warns = output.select_saved(res, output.parse_outputs(cards(*lines)))
        assert sel[0].names == res[0].names and not warns


def test_save_unknown_is_a_warning_and_left_out():
    sel, warns = output.select_saved([tran()], output.parse_outputs(cards(".save v(zz) v(a)")))
    assert sel[0].names == ["v(a)"]
    assert len(warns) == 1 and "t.cir:1" in warns[0] and "v(zz)" in warns[0]
    # nothing valid left: everything is saved
    sel, warns = output.select_saved([tran()], output.parse_outputs(cards(".save zz")))
    assert sel[0].names == tran().names and len(warns) == 1


def test_probe_alli_is_one_warning():
    outs = output.parse_outputs(cards(".probe alli"))
    assert not outs.saves and len(outs.warnings) == 1 and "alli" in outs.warnings[0]
    sel, warns = output.select_saved([tran()], outs)
    assert sel[0].names == tran().names and not warns


@pytest.mark.parametrize("text", [".save v(a", ".print tran v(a) v(", ".save v(a))",
                                  ".print tran (a)", ".save v()", ".probe v(i(x))"])
def test_malformed_card_is_an_error_with_file_and_line(text):
    with pytest.raises(InputError) as exc:
        output.parse_outputs(cards(".save v(a)", text))
    assert str(exc.value).startswith("t.cir:2: ")


def test_print_table_layout_and_values():
    res = tran()
    outs = output.parse_outputs(cards(".print tran v(a) v(a,b)", ".print tran i(v1) v(nope)"))
    text, warns = output.print_table(res, outs.prints["tran"])
    lines = text.splitlines()
    assert lines[0].split() == ["Index", "time", "v(a)", "v(a)-v(b)", "i(v1)"]
    assert lines[0].startswith("Index   time            v(a)            v(a)-v(b)")
    assert len(lines) == 1 + 5
    rows = np.array([[float(x) for x in line.split("\t")] for line in lines[1:]])
    assert list(rows[:, 0]) == [0, 1, 2, 3, 4]
    assert np.allclose(rows[:, 1], res.scale, rtol=1e-6)
    assert np.allclose(rows[:, 2], res.data[:, 0], rtol=1e-6)
    assert np.allclose(rows[:, 3], res.data[:, 0] - res.data[:, 1], rtol=1e-5, atol=1e-12)
    assert np.allclose(rows[:, 4], res.data[:, 2], rtol=1e-5)
    assert len(warns) == 1 and "t.cir:2" in warns[0] and "v(nope)" in warns[0]


def test_print_numbers_as_ngspice_printnum():
    res = Result("dc", "v(v-sweep)", np.array([0.0, 1.0]), ["v(a)"],
                 np.array([[-0.0625848], [0.9960677]]))
    text, _ = output.print_table(res, output.parse_outputs(cards(".print dc v(a)")).prints["dc"])
    assert text == ("Index   v-sweep         v(a)\n"
                    "0\t0.000000e+00\t-6.25848e-02\n"
                    "1\t1.000000e+00\t9.960677e-01\n")


def test_print_ac_functions():
    f = np.array([1e3, 1e4])
    z = np.array([[1 - 1j], [0.1 + 0.2j]])
    res = Result("ac", "frequency", f, ["v(o)"], z)
    outs = output.parse_outputs(cards(".print ac v(o) vm(o) vdb(o) vp(o) vr(o) vi(o)"))
    text, warns = output.print_table(res, outs.prints["ac"])
    assert not warns
    head, *rows = text.splitlines()
    assert head.split() == ["Index", "frequency", "v(o)", "vm(o)", "vdb(o)", "vp(o)", "vr(o)",
                            "vi(o)"]
    cells = rows[0].split("\t")
    assert cells[2] == "1.000000e+00," and cells[3] == "-1.00000e+00"   # re,<tab>im
    vals = [float(c) for c in cells[4:]]
    assert vals == pytest.approx([abs(z[0, 0]), 20 * np.log10(abs(z[0, 0])),
                                  np.angle(z[0, 0]), 1.0, -1.0], rel=1e-5)


def test_print_op_has_no_scale_column():
    res = Result("op", "", np.zeros(1), ["v(a)", "v(b)"], np.array([[1.0, 2.0]]))
    text, _ = output.print_table(res, output.parse_outputs(cards(".print op v(b)")).prints["op"])
    assert text == "Index   v(b)\n0\t2.000000e+00\n"


def test_print_without_type_or_vectors_is_a_warning():
    outs = output.parse_outputs(cards(".print v(a)", ".print tran", ".print noise v(a)"))
    assert not outs.prints and len(outs.warnings) == 3


def test_print_table_is_fast():
    n = 2000
    res = Result("tran", "time", np.linspace(0, 1, n), ["v(a)"], np.random.randn(n, 1))
    vecs = output.parse_outputs(cards(".print tran v(a)")).prints["tran"]
    output.print_table(res, vecs)
    t0 = time.perf_counter()
    text, _ = output.print_table(res, vecs)
    assert time.perf_counter() - t0 < 0.05
    assert text.count("\n") == n + 1

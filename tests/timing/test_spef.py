"""SPEF reader (units, name map, coupling, reduced nets, located errors) and the RC
reduction on hand-checkable trees."""

from __future__ import annotations

import numpy as np
import pytest

from edapipe.errors import InputError
from edapipe.timing import rc
from edapipe.timing.spef import read_spef_text

HEAD = """*SPEF "ieee 1481-1999"
*DESIGN "top"
*DIVIDER /
*DELIMITER :
*BUS_DELIMITER [ ]
*T_UNIT 1 NS
*C_UNIT 1 FF
*R_UNIT 1 KOHM
"""


def test_detailed_net_units_name_map_and_coupling():
    spef = read_spef_text(HEAD + """
*NAME_MAP
*1 n1
*2 u1
*3 u\\[2\\]
*PORTS
a I
*D_NET *1 3.5
*CONN
*P a I
*I *2:A I *D INV
*I *3:A I
*CAP
1 *1:1 1.5
2 *2:A 1.0
3 *3:A *9:7 1.0
*RES
1 a *1:1 0.1
2 *1:1 *2:A 0.2
3 *1:1 *3:A 0.3
*END
""", "t.spef")
    (net,) = spef.nets
    assert net.name == "n1" and net.pins == ["a", "u1/A", "u[2]/A"]
    cap = dict(zip(net.node_names, net.cap))
    assert cap["n1/1"] == pytest.approx(1.5e-15) and cap["u[2]/A"] == pytest.approx(1e-15)
    assert cap["*9/7"] == pytest.approx(1e-15)   # the coupled end: never reached
    assert sorted(r for _, _, r in net.res) == pytest.approx([100.0, 200.0, 300.0])


def test_reduced_net():
    spef = read_spef_text(HEAD + """
*R_NET n 3
*DRIVER u1:Y
*CELL INV
*C2_R1_C1 1 0.05 2
*LOADS
*RC u2:A 0.004
*END
""", "t.spef")
    driver, pi, loads = spef.nets[0].reduced
    assert driver == "u1/Y" and pi == pytest.approx((1e-15, 50.0, 2e-15))
    assert loads == {"u2/A": pytest.approx(4e-12)}


@pytest.mark.parametrize("text, line, words", [
    ("junk", 1, "not a SPEF"),
    (HEAD + "*T_UNIT 1 YEARS\n", 9, "unknown *T_UNIT"),
    (HEAD + "*D_NET n 1\n*CONN\n*I u:A I\n*CAP\n1 u:A nan\n*END\n", 13, "finite"),
    (HEAD + "*D_NET n 1\n*CONN\n*I u:A I\n*RES\n1 u:A u:B -3\n*END\n", 13, "negative"),
    (HEAD + "*D_NET n 1\n*CONN\n*I u:A I\n", 12, "ends early"),
    (HEAD + "*D_NET n 1\n*CONN\n*X u:A I\n*END\n", 11, "*CONN"),
])
def test_errors_are_located(text, line, words):
    with pytest.raises(InputError) as err:
        read_spef_text(text, "t.spef")
    assert err.value.line == line and words in str(err.value)


def test_long_chain_does_not_recurse():
    n = 200_000
    res = [(k, k + 1, 1.0) for k in range(n)]
    cap = [1e-18] * (n + 1)
    c2, rpi, c1, elmore = rc.reduce_pi_elmore(n + 1, res, cap, 0)
    assert elmore[-1] > 0 and c1 + c2 == pytest.approx(sum(cap), rel=1e-6)


def test_pi_model_and_elmore_by_hand():
    # driver 0 -R1- 1 (C1) -R2- 2 (C2): Elmore(2) = R1 (C1 + C2) + R2 C2; y1 = C1 + C2
    r1, r2, c1n, c2n = 10.0, 20.0, 1e-15, 2e-15
    c2, rpi, c1, elmore = rc.reduce_pi_elmore(3, [(0, 1, r1), (1, 2, r2)], [0.0, c1n, c2n], 0)
    assert elmore[2] == pytest.approx(r1 * (c1n + c2n) + r2 * c2n)
    assert elmore[1] == pytest.approx(r1 * (c1n + c2n))
    assert c1 + c2 == pytest.approx(c1n + c2n, rel=1e-6)
    # y2 = -(R1 (C1+C2)^2 + R2 C2^2): the pi model keeps the first two moments
    y2 = -(r1 * (c1n + c2n) ** 2 + r2 * c2n ** 2)
    assert -rpi * c1 * c1 == pytest.approx(y2, rel=1e-5)


def test_resistor_loop_is_cut():
    # a triangle: the tree keeps two of the three resistors, the reduction terminates
    c2, rpi, c1, elmore = rc.reduce_pi_elmore(3, [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)],
                                              [0.0, 1e-15, 1e-15], 0)
    assert c1 + c2 == pytest.approx(2e-15, rel=1e-6)


def test_errors_give_the_column():
    with pytest.raises(InputError) as err:
        read_spef_text(HEAD + "*D_NET n 1\n*CONN\n*I u:A I\n*CAP\n1 u:A  nan\n*END\n", "t.spef")
    assert (err.value.line, err.value.column) == (13, 8)
    with pytest.raises(InputError) as err:   # past the last token: the end of the text
        read_spef_text(HEAD + "*D_NET n 1\n*CONN\n  *I u:A", "t.spef")
    assert (err.value.line, err.value.column) == (11, 9)


def test_name_map_read_after_a_net_applies_to_later_names():
    spef = read_spef_text(HEAD + """*D_NET *1 1
*CONN
*I u1:Y O
*END
*NAME_MAP
*1 n1
*D_NET *1 1
*CONN
*I u1:Y O
*END
""", "t.spef")
    assert [n.name for n in spef.nets] == ["*1", "n1"]


NETS = """*D_NET *1 1
*CONN
*I *2:Y O
*I *3:A I
*CAP
1 *2:Y 0.5
2 *3:A *1:9 0.25
*RES
1 *2:Y *3:A 0.1
*END
"""


@pytest.mark.parametrize("name_map, bulk", [
    ("*NAME_MAP\n*1 n1\n*2 u\\[2\\]\n*3 u3\n", True),     # pairs on lines of their own
    ("*NAME_MAP  \n\n*1 n1 *2\n  u\\[2\\] *3 u3\n\n", True),   # any layout of pairs
    ("*NAME_MAP *1 n1\n*2 u\\[2\\]\n*3 u3\n", False),         # not alone on its line
    ("*NAME_MAP\n*1 n1\n*2 u\\[2\\]\n*3\n*PORTS_X\n", False),  # a name at a line start
])
def test_name_map_in_bulk_reads_as_token_by_token(name_map, bulk):
    """A name map of pairs on lines of its own is read in one split (spef._Reader); the
    nets, and the lines of errors after it, are those of the token-by-token reading."""
    from edapipe.timing.spef import _Reader

    text = HEAD + name_map + "*PORTS\na I\n" + NETS
    if name_map.endswith("*PORTS_X\n"):   # (*PORTS_X: the name of index *3)
        text = HEAD + name_map + NETS
    reader = _Reader(text, "t.spef")
    assert (reader.bulk_at >= 0) == bulk
    got = read_spef_text(text, "t.spef")
    (net,) = got.nets
    assert net.name == "n1" and net.pins == (["u[2]/Y", "u3/A"] if "*PORTS_X" not in text
                                             else ["u[2]/Y", "*PORTS_X/A"])
    assert net.line == text[:text.index("*D_NET")].count("\n") + 1
    bad = text.replace("1 *2:Y 0.5", "1 *2:Y x0.5")
    with pytest.raises(InputError) as err:
        read_spef_text(bad, "t.spef")
    line = bad[:bad.index("x0.5")].count("\n") + 1
    assert (err.value.line, err.value.column) == (line, 8)


def test_name_map_at_the_end_of_the_file():
    spef = read_spef_text(HEAD + NETS + "*NAME_MAP\n*1 n1\n*2 u2", "t.spef")
    assert spef.nets[0].name == "*1"


def _random_tables(rng, count):
    """count random Liberty tables in the graph's layout (g.tables): axes of 1 to 5
    points, each axis the input slew (0), the load (1) or another variable (2)."""
    tab_n, tab_var, tab_off, axes, vals = [], [], [], [], []
    for _ in range(count):
        n = [int(rng.integers(1, 6)), int(rng.integers(1, 6))]
        var = [int(rng.integers(0, 3)), int(rng.integers(0, 3))]
        offs = []
        for k in range(2):
            offs.append(len(axes))
            axes.extend(np.cumsum(rng.uniform(0.1, 1.0, n[k])) - 0.5)
        offs.append(len(vals))
        vals.extend(rng.uniform(-1.0, 2.0, n[0] * n[1]))
        tab_n.append(n)
        tab_var.append(var)
        tab_off.append(offs)
    return (np.array(tab_n), np.array(tab_var), np.array(tab_off), np.array(axes),
            np.array(vals))


def test_table_lookup_at_slew_matches_the_kernels_rule():
    """rc's lookups (each table at its own fixed slew, as a function of the load) against
    the numpy lookup of the lumped delay calculation, inside and beyond the axes, every
    layout (either axis the load, the slew or another variable, 1 to 5 points)."""
    from edapipe.timing.levels import table_values

    rng = np.random.default_rng(7)
    tables = _random_tables(rng, 40)
    caps = np.array([-2.0, 0.0, 0.11, 0.5, 1.7, 30.0])
    for x_slew in (-1.0, 0.0, 0.37, 1.2, 9.0):
        tids = np.repeat(np.arange(40), len(caps))
        at = rc._AtSlew(tables, tids, np.full(len(tids), x_slew))
        got = at(np.tile(caps, 40))
        want = table_values(tids, np.full(len(tids), x_slew), np.tile(caps, 40),
                            np.zeros(len(tids)), *tables)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), x_slew


def test_table_lookup_at_slew_interpolated_once_matches_the_kernels_rule():
    """Tables whose capacitance axis is the load and whose other axis is not (the usual
    delay and slew tables) take the form interpolated once along the fixed slew
    (_AtSlew.at_slew): the same numbers as the kernels' lookup, inside and beyond the axes,
    with 1 to 5 points on either axis (a one-point axis included)."""
    from edapipe.timing.levels import table_values

    rng = np.random.default_rng(13)
    tables = _random_tables(rng, 200)
    tab_n, tab_var = tables[0], tables[1]
    # the load on exactly one axis
    usual = np.flatnonzero((tab_var == 1).sum(axis=1) == 1)[:40]
    assert len(usual) >= 20 and (tab_n[usual] == 1).any()
    caps = np.array([-2.0, 0.0, 0.11, 0.5, 1.7, 30.0])
    for x_slew in (-1.0, 0.0, 0.37, 1.2, 9.0):
        tids = np.repeat(usual, len(caps))
        at = rc._AtSlew(tables, tids, np.full(len(tids), x_slew))
        assert at.at_slew is not None
        got = at(np.tile(caps, len(usual)))
        want = table_values(tids, np.full(len(tids), x_slew), np.tile(caps, len(usual)),
                            np.zeros(len(tids)), *tables)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), x_slew


def _linear_tables(drive, slew, slew_slope):
    """A delay table drive * c and a slew table slew + slew_slope * c (both on input slew
    and load axes: bilinear lookups of linear functions are exact, extrapolated too)."""
    slews, caps = np.array([0.0, 1e-9]), np.array([0.0, 1e-12])
    d = np.array([[drive * c for c in caps]] * 2)
    s = np.array([[slew + slew_slope * c for c in caps]] * 2)
    return (np.array([[2, 2], [2, 2]]), np.array([[0, 1], [0, 1]]),
            np.array([[0, 2, 0], [4, 6, 4]]), np.concatenate([slews, caps] * 2),
            np.concatenate([d.ravel(), s.ravel()]))


@pytest.mark.parametrize("c2, rpi, c1, drive, slew, slew_slope", [
    (0.0, 0.0, 0.0, 2e3, 1e-11, 4e3),                # no capacitance at all
    (1e-18, 500.0, 1e-14, 2e3, 0.0, 0.0),            # c2 negligible, the table's slew zero
    (4.8e-16, 3.4e17, 1.2e-15, 0.044, 5e-18, 3e-10),  # poles beyond the float range
])
def test_degenerate_pi_models_fall_back_without_error(c2, rpi, c1, drive, slew, slew_slope):
    tables = _linear_tables(drive, slew, slew_slope)
    delay, drvr_slew, wire, load_slew = rc.dmp(tables, rc.Thresholds(), [0], [1], [0.0],
                                               [c2], [rpi], [c1], [0], [1e-12])
    assert np.isfinite(delay).all() and np.isfinite(drvr_slew).all()
    assert np.isfinite(wire).all() and load_slew[0] >= drvr_slew[0]


def test_dmp_of_a_lumped_load_is_the_table():
    """No resistance: the load is lumped, the delay and slew the tables' at c1 + c2 (the
    slew clipped at 0), and a load sees its Elmore delay and the driver's slew."""
    tables = _linear_tables(2e3, -1e-12, 1e3)
    delay, drvr_slew, wire, load_slew = rc.dmp(tables, rc.Thresholds(), [0, 0], [1, -1],
                                               [0.0, 0.0], [1e-15, 1e-15], [0.0, 0.0],
                                               [2e-15, 2e-15], [0, 1], [3e-12, 0.0])
    assert delay == pytest.approx([6e-12, 6e-12], rel=1e-12)
    assert drvr_slew == pytest.approx([2e-12, 0.0], abs=1e-24)
    assert wire.tolist() == [3e-12, 0.0] and load_slew.tolist() == drvr_slew.tolist()


def test_batched_dmp_is_each_arc_alone():
    """Arcs solved side by side (the Newton and root-finding loops masked per arc) give
    each arc's numbers when solved alone, bit for bit: an arc stops where it would alone,
    whatever its neighbours do (full pi models, c2 = 0, lumped, and failing ones)."""
    rng = np.random.default_rng(3)
    tables = _linear_tables(3e3, 2e-11, 2e3)
    n = 60
    c1 = rng.uniform(1e-16, 2e-14, n)
    c2 = c1 * rng.choice([1e-4, 0.1, 1.0, 5.0], n)
    rpi = rng.choice([0.0, 1.0, 50.0, 500.0, 5e3], n)
    s_in = rng.uniform(0.0, 5e-10, n)
    load_job = np.repeat(np.arange(n), 2)
    elmore = np.concatenate([[0.0, e] for e in rng.uniform(0.0, 3e-11, n)])
    th = rc.Thresholds(0.5, 0.1, 0.9, 1.0)
    together = rc.dmp(tables, th, np.zeros(n, int), np.ones(n, int), s_in, c2, rpi, c1,
                      load_job, elmore)
    kinds = set()
    for k in range(n):
        alone = rc.dmp(tables, th, [0], [1], s_in[k:k + 1], c2[k:k + 1], rpi[k:k + 1],
                       c1[k:k + 1], [0, 0], elmore[2 * k:2 * k + 2])
        assert [a.tolist() for a in alone] == \
            [together[0][k:k + 1].tolist(), together[1][k:k + 1].tolist(),
             together[2][2 * k:2 * k + 2].tolist(), together[3][2 * k:2 * k + 2].tolist()], k
        kinds.add(alone[2][1] != elmore[2 * k + 1])   # a load delay of its own (crossings)
    assert kinds == {True, False}


def test_three_by_three_solve():
    """rc._solve3 (the Newton step, many systems side by side, Crout with scaled partial
    pivoting) solves what numpy.linalg.solve solves; zero on the diagonal is pivoted
    away; a row of zeros is reported singular."""
    rng = np.random.default_rng(11)
    a = rng.normal(size=(300, 3, 3)) * 10.0 ** rng.integers(-12, 12, size=(300, 3, 1))
    a[0] = [[0.0, 1.0, 2.0], [3.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    b = rng.normal(size=(300, 3))
    M = np.concatenate([a, b[:, :, None]], axis=2).transpose(1, 2, 0)   # rows, cols, systems
    x, singular = rc._solve3(M)
    assert not singular.any()
    want = np.linalg.solve(a, b[:, :, None])[:, :, 0].T
    assert np.allclose(x, want, rtol=1e-6, atol=0.0)
    M[1, :3, 5] = 0.0
    with np.errstate(all="ignore"):   # (as rc.dmp runs it)
        assert rc._solve3(M)[1].tolist() == [k == 5 for k in range(300)]


def test_delay_and_slew_lookup_is_the_two_lookups():
    """_lookup (the delay and the slew table of each arc in one vectorised lookup) gives
    each table's own lookup, the slew clipped at 0, and 0 without a slew table."""
    rng = np.random.default_rng(5)
    tables = _random_tables(rng, 40)
    td = rng.integers(0, 40, 200)
    ts = np.where(rng.random(200) < 0.2, -1, rng.integers(0, 40, 200))
    s_in = rng.uniform(-1.0, 9.0, 200)
    cap = rng.uniform(-2.0, 30.0, 200)
    d, s = rc._lookup(tables, td, ts, s_in)(cap)
    assert d.tolist() == rc._AtSlew(tables, td, s_in)(cap).tolist()
    alone = np.maximum(rc._AtSlew(tables, np.maximum(ts, 0), s_in)(cap), 0.0)
    assert s.tolist() == np.where(ts < 0, 0.0, alone).tolist()


def test_entries_in_unusual_layouts_read_as_usual():
    """The usual *CAP/*RES entries take a short path in the reader (spef._Reader.d_net);
    triplets, a value on the next line, and bad entries take the general one."""
    spef = read_spef_text(HEAD + """*D_NET n 1
*CONN
*I u1:Y O
*I u2:A I
*CAP
1 u1:Y 1:2:3
2 u2:A
0.5
3 u2:A v:B 0.25
*RES
1 u1:Y u2:A 2:3:4
2 u2:A u3:A
7
*END
""", "t.spef")
    (net,) = spef.nets
    cap = dict(zip(net.node_names, net.cap))
    assert cap["u1/Y"] == pytest.approx(1e-15) and cap["u2/A"] == pytest.approx(0.75e-15)
    assert cap["v/B"] == pytest.approx(0.25e-15)
    assert [r for _, _, r in net.res] == pytest.approx([2000.0, 7000.0])
    for entry, line, words in (("*CAP\n1 u1:Y u2:A v:B 1\n", 13, "*CAP entry"),
                               ("*CAP\n1 u1:Y inf\n", 13, "finite"),
                               ("*RES\n1 u1:Y u2:A -0.5\n", 13, "negative"),
                               ("*RES\n1 u1:Y u2:A x\n", 13, "number")):
        with pytest.raises(InputError) as err:
            read_spef_text(HEAD + "*D_NET n 1\n*CONN\n*I u1:Y O\n" + entry + "*END\n", "t.spef")
        assert err.value.line == line and words in str(err.value), entry

"""`edapipe prove`, `check-certificate` and `sec` through the command line: exit codes,
witnesses replayed by `edapipe sim` and by the independent replayer, certificates, JSON."""

from __future__ import annotations

import json

import pytest

from edapipe.aig.builder import AigBuilder
from edapipe.aig.io import read, write
from tests.cli.test_cec import run
from tests.verify.seq.oracle import replay_witness
from tests.verify.seq.test_engines import counter


def old_style(tmp_path):
    """A counter whose output (no B section) is the bad state, as in HWMCC files."""
    c = counter(3, 8, 5)
    aig = c.replace(outputs=c.bad, bad=[], output_names=("at5",))
    path = tmp_path / "cnt.aig"
    write(aig, path)
    return aig, path


def test_prove_fails_with_witness_replayed_by_sim(tmp_path):
    aig, path = old_style(tmp_path)
    wit = tmp_path / "cex.txt"
    out = run("prove", path, "--witness", wit, "--json", rc=1)
    (row,) = json.loads(out.stdout)["properties"]
    assert row["status"] == "fails" and row["property"] == "at5"
    text = wit.read_text()
    assert text.startswith("1\nb0\n") and text.endswith(".\n")
    assert replay_witness(aig, text) == [0]
    # edapipe sim replays it from the witness's initial state: the output is 1 at the end
    sim = run("sim", path, "--vectors", wit)
    assert sim.stdout.decode().split()[-1] == "1"


def test_prove_holds_with_certificate(tmp_path):
    path = tmp_path / "wrap.aag"
    write(counter(3, 6, 7), path)
    cert = tmp_path / "inv.aig"
    out = run("prove", path, "--engine", "pdr", "--certificate", cert)
    assert "holds" in out.stdout.decode()
    checked = run("check-certificate", path, cert, "--json")
    (row,) = json.loads(checked.stdout)["properties"]
    assert row == {"property": "b0", "ok": True, "failed": ""}
    # the certificate of another design is rejected with exit 1
    other = tmp_path / "other.aig"
    write(counter(3, 8, 7), other)
    rejected = run("check-certificate", other, cert, rc=1)
    assert "REJECTED" in rejected.stdout.decode()


@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr", "auto"])
def test_undecided_exits_4(tmp_path, engine):
    path = tmp_path / "c.aig"
    write(counter(6, 64, 63), path)          # fails only after 63 cycles
    run("prove", path, "--engine", engine, "--frames", "3", rc=4)


def test_time_limit_gives_undecided(tmp_path):
    path = tmp_path / "c.aig"
    write(counter(20, 1 << 20, (1 << 20) - 1), path)
    out = run("prove", path, "--engine", "bmc", "--time-limit", "1", "--json", rc=4)
    assert json.loads(out.stdout)["properties"][0]["status"] == "undecided"


def test_bad_input_and_usage(tmp_path):
    empty = AigBuilder().build()
    path = tmp_path / "none.aig"
    write(empty, path)
    assert "nothing to prove" in run("prove", path, rc=3).stderr.decode()
    bogus = tmp_path / "bogus.aag"
    bogus.write_text("aag 1 1 0 1 0\n2\n4\n")
    run("prove", bogus, rc=3)
    _, good = old_style(tmp_path)
    run("prove", good, "--property", "3", rc=2)
    run("prove", good, "--engine", "nope", rc=2)
    run("prove", good, "--certificate", good, rc=2)   # an output over an input


def two_counters(tmp_path, bug: bool):
    """A 3-bit binary counter and the same count kept one-hot (8 latches): same output."""
    a = AigBuilder("bin")
    en = a.add_input("en")
    idx = [a.add_latch(f"c{k}") for k in range(3)]
    q = [a.latch_lit(k) for k in idx]
    carry = en
    for k in range(3):
        a.set_latch_next(idx[k], a.xor_(q[k], carry))
        carry = a.and_(carry, q[k])
    a.add_output(a.and_(q[0], a.and_(q[1], q[2] ^ 1)), "is3")
    b = AigBuilder("onehot")
    en_b = b.add_input("en")
    hot = [b.add_latch(f"h{k}", 1 if k == 0 else 0) for k in range(8)]
    h = [b.latch_lit(k) for k in hot]
    for k in range(8):
        stay = b.and_(h[k], en_b ^ 1)
        move = b.and_(h[(k - 1) % 8], en_b)
        if bug and k == 6:
            move = b.and_(h[4], en_b)        # 5 jumps to 6 and 7 at once: a wrong state
        b.set_latch_next(hot[k], b.or_(stay, move))
    b.add_output(h[3], "is3")
    pa, pb = tmp_path / "bin.aig", tmp_path / f"hot{int(bug)}.aig"
    write(a.build(), pa)
    write(b.build(), pb)
    return pa, pb


def test_sec_equal_and_buggy(tmp_path):
    pa, pb = two_counters(tmp_path, bug=False)
    out = run("sec", pa, pb, "--json")
    assert json.loads(out.stdout)["status"] == "equivalent"
    pa, pbug = two_counters(tmp_path, bug=True)
    cex = tmp_path / "cex.txt"
    out = run("sec", pa, pbug, "--cex", cex, "--json", rc=1)
    res = json.loads(out.stdout)
    assert res["status"] == "not equivalent" and res["failing"] == ["is3"]
    # A's outputs over the trace, then B's from its reset state: the last cycle differs
    sa = run("sim", pa, "--vectors", cex).stdout.decode().split()
    lines = cex.read_text().splitlines()
    plain = tmp_path / "inputs.txt"
    plain.write_text("\n".join(lines[3:-1]) + "\n")
    sb = run("sim", pbug, "--vectors", plain).stdout.decode().split()
    assert sa[-1] != sb[-1] and sa[:-1] == sb[:-1]


def test_sec_interfaces_must_match(tmp_path):
    pa, pb = two_counters(tmp_path, bug=False)
    other = tmp_path / "other.aig"
    two = AigBuilder("two")
    x = two.add_input("en")
    two.add_output(x, "is3")
    two.add_output(x ^ 1, "extra")
    write(two.build(), other)
    assert "differ" in run("sec", pa, other, rc=3).stderr.decode()
    # a file with bad states and no outputs is read as ABC reads it: its bad states are its
    # outputs, matched by position when it has no names (then compared, not refused)
    bad_only = tmp_path / "bad_only.aig"
    write(counter(3, 8, 5), bad_only)
    proc = run("sec", pa, bad_only, rc=None)
    assert b"taking them as its outputs" in proc.stderr and proc.returncode in (0, 1)


# AIGER 1.9 by hand: latch 4 starts X and keeps its value, latch 6 copies input 2 (reset 1);
# bad b0 = l4, bad b1 = l6 & !l4; constraint: input 2 is 0.
AAG_19 = """aag 4 1 2 0 1 2 1
2
4 4 4
6 2 1
4
8
3
8 6 5
"""


def test_aiger_19_bad_constraints_and_x_init(tmp_path):
    path = tmp_path / "p.aag"
    path.write_text(AAG_19)
    aig = read(path)
    wit = tmp_path / "w.txt"
    out = run("prove", path, "--witness", wit, "--json", rc=1)
    rows = {r["property"]: r["status"] for r in json.loads(out.stdout)["properties"]}
    # b0: the X latch may start at 1. b1: l6 starts at 1 and needs l4 = 0 in frame 0, and
    # the constraint only stops it from becoming 1 again later.
    assert rows == {"b0": "fails", "b1": "fails"}
    assert sorted(replay_witness(aig, wit.read_text())) == [0, 1]
    cert = tmp_path / "c.aig"
    run("prove", path, "--property", "1", "--engine", "kind", "--certificate", cert, rc=2)


def test_constraint_makes_property_hold(tmp_path):
    # bad = l6 & !l4 with l6 reset 0 this time: only input 2 = 1 sets it, which C forbids
    path = tmp_path / "q.aag"
    path.write_text(AAG_19.replace("6 2 1\n", "6 2 0\n"))
    cert = tmp_path / "c.aig"
    out = run("prove", path, "--property", "1", "--certificate", cert, "--json")
    assert json.loads(out.stdout)["properties"][0]["status"] == "holds"
    run("check-certificate", path, cert)


def test_prove_reads_rtl_assertions(tmp_path):
    """`prove design.sv`: the assertions are the properties, the assumptions constraints;
    the witness replays on the AIG that `read` makes of the same file."""
    src = tmp_path / "cnt.sv"
    src.write_text("module top(input clk, input en, output reg [2:0] q);\n"
                   "  initial q = 0;\n"
                   "  always @(posedge clk) if (en) q <= q + 1;\n"
                   "  always @(posedge clk) assume (q != 3'd6);\n"
                   "  always @* assert (q != 3'd7);\n"
                   "  always @(posedge clk) if (en) assert (q != 3'd5);\n"
                   "endmodule\n")
    wit = tmp_path / "cex.txt"
    out = run("prove", src, "--witness", wit, "--json", rc=1)
    rows = json.loads(out.stdout)["properties"]
    assert [r["status"] for r in rows] == ["holds", "fails"]
    assert rows[1]["witness_frames"] == 6
    aig_path = tmp_path / "cnt.aag"
    run("read", src, "-o", aig_path)
    assert replay_witness(read(aig_path), wit.read_text()) == [1]


def test_sec_cpu_limit(tmp_path):
    """--cpu-limit bounds correspondence and engines; a generous one changes no answer."""
    pa, pb = two_counters(tmp_path, bug=False)
    out = run("sec", pa, pb, "--cpu-limit", "30", "--json")
    assert json.loads(out.stdout)["status"] == "equivalent"
    pa, pbug = two_counters(tmp_path, bug=True)
    out = run("sec", pa, pbug, "--cpu-limit", "30", "--json", rc=1)
    assert json.loads(out.stdout)["status"] == "not equivalent"

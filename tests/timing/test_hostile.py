"""Hostile input to the timing readers (issue 13): every case is a located InputError, or a
ResourceLimit where a budget is hit, never another exception, a hang or gigabytes.

Each case runs in well under a second; `fast` asserts a generous CPU-time bound so a
regression to exponential or unbounded work fails here instead of hanging CI.
"""

from __future__ import annotations

import gzip
import os
import itertools
import random
import re
import time

import pytest

from edapipe.errors import InputError, ResourceLimit
from edapipe.timing import boolexpr
from edapipe.timing import liberty as liberty_mod
from edapipe.timing.glob import compile_glob, glob_match
from edapipe.timing.liberty import parse_liberty_text, read_liberty
from edapipe.timing.netlist import read_netlist_text
from edapipe.timing.sdc import DesignNames, read_sdc_text
from edapipe.timing.tcl import safe_arith
from tests.timing.conftest import DATA

MINI = (DATA / "mini.lib").read_text()


class fast:
    """`with fast():` fails when the block takes more than `seconds` of this process's CPU (a
    guard against exponential work; CPU, not wall time, so a loaded machine does not fail
    it: the doubling-hierarchy case took 5-7 s of wall beside other suites, 1.2 s of CPU)."""

    def __init__(self, seconds: float = 5.0):
        self.seconds = seconds

    def __enter__(self):
        self.t0 = time.process_time()

    def __exit__(self, *exc):
        took = time.process_time() - self.t0
        assert took < self.seconds, f"took {took:.1f} s"
        return False


def located(exc: InputError, file: str, line: int | None = None) -> None:
    assert exc.file == file, exc
    assert exc.line is not None, exc
    if line is not None:
        assert exc.line == line, exc
    assert len(str(exc)) < 400, "messages quote at most a short excerpt"


def lib_error(text: str, line: int | None = None) -> InputError:
    with fast(), pytest.raises(InputError) as err:
        parse_liberty_text(text, "h.lib")
    located(err.value, "h.lib", line)
    return err.value


# ----------------------------------------------------------------------------- Liberty

def _with_function(func: str) -> str:
    return MINI.replace('function : "!A";', f'function : "{func}";', 1)


@pytest.mark.parametrize("depth", [300, 20000])
def test_liberty_function_nested_deeply(depth):
    text = _with_function("(" * depth + "A" + ")" * depth)
    line = text[:text.index('function : "((')].count("\n") + 1
    assert "nested deeper" in str(lib_error(text, line))


def test_liberty_function_long_chains_and_negations_are_fine():
    # a 2000-term chain is balanced (shallow); 20000 `!` fold to one
    chain = "&".join(f"A{k}" for k in range(2000))
    expr = boolexpr.parse_function(chain)
    assert boolexpr.depth(expr) <= 12 and len(boolexpr.variables(expr)) == 2000
    assert boolexpr.parse_function("!" * 20000 + "A") == ("var", "A")
    assert boolexpr.parse_function("!" * 20001 + "A") == ("not", ("var", "A"))
    assert boolexpr.parse_function("A" + "'" * 30001) == ("not", ("var", "A"))
    # evaluation is iterative: a deep (unbalanced) tree built by hand evaluates
    import numpy as np
    e = ("var", "A")
    for _ in range(5000):
        e = ("not", e)
    assert boolexpr.evaluate(e, {"A": np.array([True])})[0]


def test_liberty_function_with_too_many_variables_for_unateness():
    func = "A&" + "&".join(f"A{k}" for k in range(40))
    text = MINI.replace('function : "A";', f'function : "{func}";', 1)  # BUF, no timing_sense
    assert "variables" in str(lib_error(text))


def test_liberty_groups_nested_deeply():
    text = MINI.replace("library (mini) {", "library (mini) {\n" + "g () { " * 20000
                        + "}" * 20000, 1)
    assert "nested deeper" in str(lib_error(text, 3))


@pytest.mark.parametrize("old, new", [
    ("rise_capacitance : 0.003;", "rise_capacitance : nan;"),
    ("rise_capacitance : 0.003;", "rise_capacitance : inf;"),
    ("rise_capacitance : 0.003;", "rise_capacitance : -1e400;"),
    ("rise_capacitance : 0.003;", "rise_capacitance : 1e300;"),
    ("capacitance : 0.001;", "capacitance : NaN;"),
    ("area : 2.0;", "area : infinity;"),
    ('values ("0.05, 0.15", "0.25, 0.35")', 'values ("0.05, nan", "0.25, 0.35")'),
    ('index_1 ("0.1, 0.5");', 'index_1 ("0.1, inf");'),
    ('index_1 ("0.1, 0.5");', 'index_1 ("nan, 0.5");'),
    ('index_1 ("0.1, 0.5");', 'index_1 ("0.5, 0.1");'),     # not increasing
    ('index_1 ("0.1, 0.5");', 'index_1 ("0.1, 0.1");'),     # not strictly increasing
    ('index_1 ("0.1, 0.5");', 'index_1 ("");'),             # empty axis
    ('time_unit : "1ns";', 'time_unit : "nanns";'),
    ('time_unit : "1ns";', 'time_unit : "0ns";'),
    ('time_unit : "1ns";', 'time_unit : "e-ns";'),          # was a ValueError traceback
    ('time_unit : "1ns";', 'time_unit : "1e999ns";'),
    ("capacitive_load_unit (1, pf);", "capacitive_load_unit (nan, pf);"),
    ("capacitive_load_unit (1, pf);", "capacitive_load_unit (0, pf);"),
])
def test_liberty_non_finite_and_meaningless_numbers(old, new):
    assert old in MINI
    text = MINI.replace(old, new, 1)
    line = text[:text.index(new)].count("\n") + 1
    err = lib_error(text)
    if "increasing" not in str(err):
        assert err.line == line, (err, line)
    else:  # a template's axes are checked where a table uses them: located at that table
        assert "index_1" in str(err)


def test_liberty_wire_load_numbers():
    base = MINI.replace("library (mini) {", "library (mini) {\n  wire_load (w) {\n"
                        "    fanout_length (1, 2.0);\n  }", 1)
    parse_liberty_text(base, "h.lib")
    for bad in ("(inf, 2.0)", "(1, nan)", "(1e400, 1)", "(1)"):
        lib_error(base.replace("(1, 2.0)", bad), 4)


def test_liberty_empty_row_in_1d_table():
    text = MINI.replace("library (mini) {", """library (mini) {
  lu_table_template (t1) { variable_1 : total_output_net_capacitance;
                           index_1 ("0.01, 0.05"); }
  cell (ONE) {
    pin (A) { direction : input; capacitance : 0.001; }
    pin (Y) { direction : output; function : "A";
      timing () { related_pin : "A";
        cell_rise (t1) { values ("", ""); } } }
  }""", 1)
    lib_error(text)


def test_liberty_unterminated_string_of_continuations_is_quick():
    # the string pattern used to backtrack exponentially on backslash-newlines
    text = 'library (x) {\n  a : "' + "\\\n" * 5000
    assert "unterminated string" in str(lib_error(text, 2))


def test_liberty_long_line_is_not_echoed():
    err = lib_error("library (x) {\n  area " + "x" * 5_000_000 + " ;\n}\n", 2)
    assert "..." in str(err)


def test_liberty_gzip_bomb_is_a_resource_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("EDAPIPE_MAX_INPUT_MB", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "bomb.lib.gz"
    path.write_bytes(gzip.compress(b"library (b) {\n" + b" " * (8 << 20) + b"}\n", 1))
    with fast(), pytest.raises(ResourceLimit) as err:
        read_liberty(path)
    assert "EDAPIPE_MAX_INPUT_MB" in str(err.value)


def test_liberty_cache_obeys_the_budget(tmp_path, monkeypatch):
    """A library cached under a large budget is still refused under a small one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "big.lib.gz"
    path.write_bytes(gzip.compress(MINI.replace("library (mini) {", "library (mini) {\n"
                                                + " " * (2 << 20), 1).encode(), 1))
    monkeypatch.setenv("EDAPIPE_MAX_INPUT_MB", "8")
    assert "INV" in read_liberty(path).cells
    assert list((tmp_path / "cache").rglob("*.pkl"))
    monkeypatch.setenv("EDAPIPE_MAX_INPUT_MB", "1")
    with pytest.raises(ResourceLimit):
        read_liberty(path)


def test_liberty_cache_answers_only_for_the_same_bytes(tmp_path, monkeypatch):
    """Rewriting a file in place with the same size and time stamp is not a cache hit."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "x.lib"
    path.write_text(MINI)
    st = os.stat(path)
    assert read_liberty(path).cells["NAND2"].area == 2.0
    path.write_text(MINI.replace("area : 2.0;", "area : 3.0;", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size
    assert read_liberty(path).cells["NAND2"].area == 3.0
    # a mutation that makes the file bad is reported, not hidden by the old entry
    path.write_text(MINI.replace("area : 2.0;", "area : nan;", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(InputError):
        read_liberty(path)


def test_liberty_cache_entry_others_can_write_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "x.lib"
    path.write_text(MINI)
    read_liberty(path)
    [entry] = list((tmp_path / "cache").rglob("*.pkl"))
    lib = read_liberty(path, use_cache=False)
    lib.cells["NAND2"].area = 99.0          # what a planted entry could say
    with open(entry, "wb") as fh:
        liberty_mod._write_entry(fh, 0, lib)
    os.chmod(entry, 0o666)
    assert read_liberty(path).cells["NAND2"].area == 2.0
    # (the planted entry is well formed: private, it would be obeyed)
    with open(entry, "wb") as fh:
        liberty_mod._write_entry(fh, 0, lib)
    os.chmod(entry, 0o600)
    assert read_liberty(path).cells["NAND2"].area == 99.0


def test_liberty_cache_entry_cut_short_is_parsed_again(tmp_path, monkeypatch):
    """The cells of an entry stay in the file until used (LazyCells): an entry whose cells
    do not end where the file does is not trusted."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "x.lib"
    path.write_text(MINI)
    read_liberty(path)
    [entry] = list((tmp_path / "cache").rglob("*.pkl"))
    data = entry.read_bytes()
    for bad in (data[:-3], data + b"x"):
        entry.write_bytes(bad)
        lib = read_liberty(path)
        assert not isinstance(lib.cells, liberty_mod.LazyCells)
        assert lib.cells["NAND2"].area == 2.0


def test_liberty_directory_is_bad_input(tmp_path):
    with pytest.raises(InputError):
        read_liberty(tmp_path)


# ----------------------------------------------------------------------------- Tcl / SDC

DESIGN = DesignNames(ports=[("a", "input"), ("b", "input"), ("clk", "input"),
                            ("y", "output")] + [(f"d[{k}]", "input") for k in range(8)],
                     cells={"u1": "INV"}, nets=["a", "y", "n1"], register_cells=set())


def sdc(text: str):
    return read_sdc_text(text, "h.sdc", DESIGN, 1e-9, 1e-12)


def sdc_error(text: str, line: int | None = None, kind=InputError):
    with fast(), pytest.raises(kind) as err:
        sdc(text)
    if kind is InputError:
        located(err.value, "h.sdc", line)
    else:
        assert f"h.sdc:{line}:" in str(err.value) and len(str(err.value)) < 400
    return err.value


def test_tcl_nested_command_substitution():
    text = "set a 1\nset b " + "[set a " * 5000 + "1" + "]" * 5000 + "\n"
    assert "nested deeper" in str(sdc_error(text, 2))


def test_tcl_nested_substitution_within_the_limit_works():
    c = sdc("set a 1\nset b " + "[set a " * 50 + "2" + "]" * 50 + "\n"
            "create_clock -name c -period $b\n")
    assert c.clocks["c"].period == pytest.approx(2e-9)


@pytest.mark.parametrize("expr, what", [
    ("2**20000", "too large"),
    ("10.0**400", "overflow"),
    ("9**9**9**9", "too large"),
    ("2**64 * 2**64", "too large"),
    ("(" * 20000 + "1" + ")" * 20000, "nested deeper"),
    ("-" * 20000 + "1", "operators"),
    ("1" + "+1" * 5000, "operators"),
    ("5%0", "division by zero"),
    ("5.0%0", "division by zero"),
    ("1/0", "division by zero"),
    ("0**-1", "division by zero"),
    ("1e400", "overflow"),
    ("1e308*10", "overflow"),
    ("round(1e300)", "too large"),
    ("int(1e300)", "too large"),
    ("(-8.0)**(1.0/3)", "domain"),
    ("min()", "arguments"),
    ("9" * 5000, "arithmetic"),
    ("1 +* 2", "arithmetic"),
])
def test_tcl_expr_arithmetic_failures_are_located(expr, what):
    err = sdc_error("set x 1\nset a [expr {" + expr + "}]\n", 2)
    assert what in str(err)


def test_tcl_expr_nul_is_an_error():
    from edapipe.timing.tcl import TclError
    with pytest.raises(TclError):
        safe_arith("1\0", 0)         # ast.parse raises ValueError on NUL


def test_tcl_expr_still_computes():
    assert safe_arith("2**10 + 7 % 3 - 7 / 2", 0) == 1024 + 1 - 3
    assert safe_arith("2**-1", 0) == 0.5
    assert safe_arith("max(1, 2.5) * -(3)", 0) == -7.5
    assert safe_arith("round(2.6) + abs(-2) + int(3.9) + double(1)", 0) == 3 + 2 + 3 + 1.0
    assert safe_arith("2**64", 0) == 2 ** 64


def test_tcl_value_doubling_is_a_resource_limit():
    err = sdc_error("set a x\n" + "set a $a$a\n" * 40, 22, ResourceLimit)
    assert "limit" in str(err)
    sdc_error("set a x\n" + 'set a "$a$a"\n' * 40, 22, ResourceLimit)


def test_tcl_total_substitution_budget():
    # each value stays under the per-value limit; their sum crosses the script's budget
    text = "set a x\n" + "set a $a$a\n" * 19 + "".join(f"set b{k} $a$a\n" for k in range(40))
    with fast(), pytest.raises(ResourceLimit) as err:
        sdc(text)
    assert "budget" in str(err.value)


@pytest.mark.parametrize("stars", [16, 5000])
def test_get_ports_with_many_stars_is_quick(stars):
    with fast(2.0):
        c = sdc("create_clock -name c -period 1 [get_ports cl" + "*" * stars + "k]\n"
                f"set_input_delay 0 -clock c [get_ports {'*' * stars}d{'*' * stars}]\n")
    assert c.clocks["c"].sources[0].name == "clk"
    assert sorted(c.input_delays) == [f"d[{k}]" for k in range(8)]


def test_get_ports_list_of_a_million_stars_is_quick():
    with fast(5.0):
        c = sdc("create_clock -name c -period 1\nset_input_delay 0 -clock c \"" +
                "d* " * 500_000 + "\"\n")
    assert len(c.input_delays) == 8


def test_get_ports_nocase_and_regexp():
    c = sdc("create_clock -name c -period 1 [get_ports -nocase CLK]\n")
    assert c.clocks["c"].sources[0].name == "clk"
    c = sdc("create_clock -name c -period 1 [get_ports -regexp cl.]\n")
    assert [p.name for p in c.clocks["c"].sources] == ["clk"]
    c = sdc("create_clock -name c -period 1 [get_ports -regexp -nocase {(CL|x)K}]\n")
    assert [p.name for p in c.clocks["c"].sources] == ["clk"]
    c = sdc("create_clock -name c -period 1 clk\n"
            "set_input_delay 1 -clock c [get_ports -regexp {d\\[[0-3]\\]|a}]\n")
    assert sorted(c.input_delays) == ["a", "d[0]", "d[1]", "d[2]", "d[3]"]
    # what the engine does not read is a located error, not another meaning (a pattern
    # without . + * ? [ ] is a name, as in OpenSTA: `\1` alone is looked up, not read)
    for bad in ("{\\1.}", "{(?=a).}", "{[[:alpha:]]}", "{a.{300}}", "{(a.}", "*"):
        err = sdc_error(f"create_clock -name c -period 1\nset_input_delay 1 -clock c "
                        f"[get_ports -regexp {bad}]\n", 2)
        assert "-regexp" in str(err)


def test_regexp_is_linear_on_hostile_patterns():
    """(a*)*b and friends take exponential time in a backtracking engine; here they are
    a set of automaton states per character."""
    from edapipe.timing.regex import RegexError, compile_regexp

    for pattern in ("(a*)*b", "(a|aa)+c", "(.*a){20}x", "(a?){30}a{30}b"):
        ok = compile_regexp(pattern)
        start = time.process_time()
        assert not ok("a" * 3000)
        assert time.process_time() - start < 5.0
    # a pattern of many states against many long names runs out of its step budget
    ok = compile_regexp("(.?){250}(.?){250}(.?){100}z")
    start = time.process_time()
    with pytest.raises(RegexError, match="steps"):
        for _ in range(1000):
            ok("a" * 200)
    assert time.process_time() - start < 30.0
    with pytest.raises(RegexError, match="states"):
        compile_regexp("(.?){250}(.?){250}(.?){250}(.?){250}z")
    # stacked quantifiers are refused outright (they would nest without bound)
    for bad in ("a**", "a{2}*", "a+?+"):
        with pytest.raises(RegexError):
            compile_regexp(bad)
    assert compile_regexp("a+?b")("aab")


def test_regexp_step_budget_is_a_located_error(monkeypatch):
    from edapipe.timing import regex

    monkeypatch.setattr(regex, "MAX_STEPS", 5)
    err = sdc_error("create_clock -name c -period 1\nset_input_delay 1 -clock c "
                    "[get_ports -regexp {d.*}]\n", 2)
    assert "-regexp" in str(err) and "steps" in str(err)


def test_regexp_agrees_with_python_on_small_cases():
    """The automaton against Python's re (safe at this size) on random patterns of the
    supported syntax and every short string over their alphabet."""
    from edapipe.timing.regex import compile_regexp

    rng = random.Random(5)
    atoms = ["a", "b", ".", "[ab]", "[^a]", "(a|b)", "(ab)", "\\d", "x", "(?:a|)", "[a-c]"]
    quants = ["", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?", "{0}"]
    words = ["".join(t) for n in range(5) for t in itertools.product("abx1", repeat=n)]
    for _ in range(400):
        pattern = "".join(rng.choice(atoms) + rng.choice(quants)
                          for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.3:
            pattern += "|" + rng.choice(atoms)
        ours, theirs = compile_regexp(pattern), re.compile(pattern)
        for w in words:
            assert ours(w) == bool(theirs.fullmatch(w)), (pattern, w)


def test_sdc_of_random_bytes_is_bad_input():
    rnd = random.Random(13)
    junk = bytes(rnd.randrange(256) for _ in range(4000)).decode("utf-8", errors="replace")
    sdc_error(junk)
    sdc_error("create_clock -name c -period 1\n\x00\x01\x02\n", 2)
    sdc_error("\xff\xfe\xfd garbage\n", 1)


def test_sdc_unknown_and_unsupported_commands_are_errors():
    assert "unknown command" in str(sdc_error("putz hello\n", 1))
    assert "unknown command" in str(sdc_error("set x [frobnicate 3]\n", 1))
    assert "not supported" in str(sdc_error("\nset_clock_latency 0.2 [get_ports clk]\n", 2))
    assert "not supported" in str(sdc_error("set_drive 0.1 [get_ports a]\n", 1))
    assert "not supported" in str(sdc_error("set_case_analysis rising [get_ports a]\n", 1))
    assert "0, 1, zero or one" in str(sdc_error("set_case_analysis 2 [get_ports a]\n", 1))
    assert "-restore" in str(sdc_error("set_disable_timing -restore [get_ports a]\n", 1))
    assert "cannot be negative" in str(sdc_error("set_timing_derate -late -1\n", 1))


def test_sdc_clock_commands_refuse_what_they_cannot_do():
    base = "create_clock -name c -period 2 [get_ports clk]\n"
    assert "-source is required" in str(sdc_error(
        base + "create_generated_clock -divide_by 2 [get_ports clk]\n", 2))
    assert "three increasing" in str(sdc_error(
        base + "create_generated_clock -source clk -edges {3 1 5} [get_ports clk]\n", 2))
    assert "give one of" in str(sdc_error(
        base + "create_generated_clock -source clk -divide_by 2 -multiply_by 2 "
        "[get_ports clk]\n", 2))
    assert "whole number" in str(sdc_error(
        base + "create_generated_clock -source clk -divide_by 0.5 [get_ports clk]\n", 2))
    assert "-clock" in str(sdc_error(base + "set_clock_latency -clock c 0.1 clk\n", 2))
    assert "usage" in str(sdc_error(base + "set_clock_groups -group c\n", 2))
    assert "-allow_paths" in str(sdc_error(
        base + "set_clock_groups -asynchronous -allow_paths -group c\n", 2))
    assert "no clock" in str(sdc_error(base + "set_propagated_clock [get_ports a]\n", 2))


def test_sdc_harmless_commands_warn_once_with_a_count():
    c = sdc("set_max_area 10\n" * 1000 + "set_dont_touch x\n")
    assert len(c.warnings) == 2
    assert "h.sdc:1:" in c.warnings[0] and "999 more" in c.warnings[0]


def test_sdc_set_units():
    sdc("set_units -time ns -capacitance pF -resistance kOhm -voltage V\n")
    assert "differs" in str(sdc_error("set_units -time ps\n", 1))
    assert "differs" in str(sdc_error("set_units -capacitance fF\n", 1))


@pytest.mark.parametrize("text", [
    "create_clock -name c -period 1e300\n",
    "create_clock -name c -period nan\n",
    "create_clock -name c -period 1 -waveform {0 inf}\n",
    "create_clock -name c -period 1 -waveform {0 1e300}\n",
    "create_clock -name c -period 1\nset_input_delay 1e300 -clock c a\n",
])
def test_sdc_absurd_numbers(text):
    sdc_error(text, text.count("\n"))


def test_sdc_long_word_is_not_echoed():
    err = sdc_error("create_clock -name c -period " + "9x" * 2_500_000 + "\n", 1)
    assert "..." in str(err)


def test_sdc_byte_order_mark_is_blank():
    assert "c" in sdc("\ufeffcreate_clock -name c -period 1\n").clocks


# ----------------------------------------------------------------------------- glob

def _glob_reference(pattern: str, name: str) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, name, re.DOTALL) is not None


def test_glob_agrees_with_the_regex_it_replaced():
    rnd = random.Random(1)
    for _ in range(20000):
        name = "".join(rnd.choice("ab[]/") for _ in range(rnd.randint(0, 9)))
        pattern = "".join(rnd.choice("ab*?[/") for _ in range(rnd.randint(0, 8)))
        assert glob_match(pattern, name) == _glob_reference(pattern, name), (pattern, name)


def test_glob_examples():
    assert glob_match("u1/*", "u1/A") and not glob_match("u1/*", "u2/A")
    assert glob_match("req_msg[*]", "req_msg[31]") and not glob_match("req_msg[?]", "req_msg[31]")
    assert glob_match("*", "") and glob_match("", "") and not glob_match("?", "")
    assert glob_match("a*b*c", "aXbYc") and not glob_match("a*b*c", "aXcYb")
    assert glob_match("CLK", "clk", nocase=True) and not glob_match("CLK", "clk")


def test_glob_is_linear_on_hostile_patterns():
    name = "a" * 100_000
    with fast(1.0):
        assert not glob_match("*" * 5000 + "b", name)
        assert glob_match("*" * 5000, name)
        assert not glob_match("*a" * 2000 + "*b", name)
        assert not glob_match("*a?a" * 500 + "*b", name)
        assert glob_match("a*" * 2000, name)
        ok = compile_glob("*?a*a?*b")
        assert not any(ok(name[:k]) for k in range(0, 2000, 7))


# ----------------------------------------------------------------------------- netlist

def cells(name):
    return {"INV": ["A", "Y"], "BUF": ["A", "Y"]}.get(name)


def net_error(text: str, line: int | None = None, kind=InputError):
    with fast(), pytest.raises(kind) as err:
        read_netlist_text(text, "h.v", cells)
    if kind is InputError:
        located(err.value, "h.v", line)
    else:
        assert "h.v:" in str(err.value) and len(str(err.value)) < 400
    return err.value


@pytest.mark.parametrize("text, line", [
    ("module t(a);\n  input [999999999:0] a;\nendmodule\n", 2),
    ("module t(a);\n  wire [0:999999999] w;\nendmodule\n", 2),
    ("module t(input [999999999:0] a);\nendmodule\n", 1),
    ("module t(a);\n  input a;\n  wire [" + "9" * 5000 + ":0] w;\nendmodule\n", 3),
    ("module t(a);\n input a;\n INV u (.A(a[" + "9" * 5000 + "]));\nendmodule\n", 3),
    ("module t(a);\n input a;\n INV u (.A(4000000000'b0));\nendmodule\n", 3),
    ("module t(a);\n input a;\n INV u (.A(4'b9));\nendmodule\n", 3),
    ("module t(a);\n input a;\n INV u (.A(4'b_));\nendmodule\n", 3),
    ("module t(a);\n input a;\n INV u (.A(" + "9" * 5000 + "));\nendmodule\n", 3),
    ("module t(a);\n input a;\n wire y;\n assign y = " + "{" * 5000 + "a" + "}" * 5000
     + ";\nendmodule\n", 4),
])
def test_netlist_sizes_checked_before_allocating(text, line):
    net_error(text, line)


def test_netlist_doubling_hierarchy_is_a_resource_limit():
    mods = ["module m0(a); input a; INV u (.A(a)); endmodule"]
    for k in range(1, 31):
        mods.append(f"module m{k}(a); input a; m{k - 1} x (.a(a)); m{k - 1} y (.a(a)); "
                    "endmodule")
    err = net_error("\n".join(mods) + "\n", kind=ResourceLimit)
    assert "EDAPIPE_MAX_INPUT_MB" in str(err)


def test_netlist_many_wide_buses_are_a_resource_limit():
    names = ", ".join(f"w{k}" for k in range(64))
    net_error(f"module t(a);\n input a;\n wire [1048575:0] {names};\nendmodule\n",
              kind=ResourceLimit)


def test_netlist_regexes_do_not_backtrack():
    # blank lines before a statement the fast path does not take, and connections
    # without commas: both were exponential in the old fast-path regex
    ok = "module t(a, y);\n input a; output y;\n" + "\n" * 40 + " assign y = a;\nendmodule\n"
    with fast(2.0):
        assert read_netlist_text(ok, "h.v", cells).top == "t"
    bad = "module t(a, y);\n input a; output y;\n INV u ( " + ".A(a)   " * 30 + " ;\nendmodule\n"
    net_error(bad, 3)
    longname = "module t(a);\n input a;\n INV u (.A(a)) " + "x" * 300_000 + ";\nendmodule\n"
    assert "..." in str(net_error(longname, 3))


def test_netlist_many_assigns_are_linear():
    n = 20000
    text = ("module t(a, y);\n input a; output y;\n wire " + ", ".join(f"n{k}" for k in range(n))
            + ";\n assign n0 = a;\n" + "".join(f" assign n{k + 1} = n{k};\n" for k in range(n - 1))
            + " assign y = n" + str(n - 1) + ";\nendmodule\n")
    with fast(10.0):
        nl = read_netlist_text(text, "h.v", cells)
    assert nl.ports[0].net == nl.ports[1].net


def test_netlist_black_box_warnings_are_bounded():
    body = "".join(f" BOX{k} b{k} (.A(a));\n" for k in range(100))
    nl = read_netlist_text(f"module t(a);\n input a;\n{body}endmodule\n", "h.v", cells)
    assert len(nl.warnings) == 21 and "80 more cells" in nl.warnings[-1]


def test_netlist_lone_quote_is_a_bad_constant():
    # found by fuzzing: a stray ' is lexed as a number (was an IndexError)
    net_error("module t(a);\n input a;\n INV u (a, ');\nendmodule\n", 3)


@pytest.mark.parametrize("opener", ["/*", "(*"])
def test_netlist_many_unterminated_comments_are_quick(opener):
    # each one used to rescan the rest of the file: quadratic
    text = ("module t(a);\n input a;\n INV #(" + f" {opener} x\n" * 20000
            + ") u (.A(a));\nendmodule\n")
    assert "unterminated" in str(net_error(text, 3))


def test_liberty_many_unterminated_comments_are_quick():
    # found by fuzzing: 5000 lines starting with `/*` and no `*/` took minutes
    text = "library (x) {\n" + "/* x\n" * 20000
    assert "unterminated comment" in str(lib_error(text, 2))


def test_liberty_pin_group_naming_many_pins_is_read_once():
    names = ", ".join(f"P{k}" for k in range(20000))
    text = MINI.replace("pin (Y) {\n      direction : output;\n      function : \"!A\";",
                        "pin (Y, " + names + ") {\n      direction : output;\n"
                        "      function : \"!A\";", 1)
    with fast(5.0):
        lib = parse_liberty_text(text, "h.lib")
    inv = lib.cells["INV"]
    assert len(inv.pins) == 20002  # A, Y and P0..P19999
    assert inv.pins["P7"].timing[0].tables is inv.pins["Y"].timing[0].tables
    assert inv.pins["P7"].timing[0].pin == "P7"


def test_liberty_arc_explosion_is_a_resource_limit():
    names = ", ".join(f"P{k}" for k in range(100000))
    timing = 'timing () { related_pin : "A"; timing_sense : negative_unate; }\n'
    text = MINI.replace("pin (Y) {\n      direction : output;\n      function : \"!A\";",
                        "pin (Y, " + names + ") {\n      direction : output;\n"
                        "      function : \"!A\";\n" + timing * 2000, 1)
    with fast(), pytest.raises(ResourceLimit) as err:
        parse_liberty_text(text, "h.lib")
    assert "h.lib:" in str(err.value) and "timing arcs" in str(err.value)


# ----------------------------------------------------------------------------- exceptions

def _reference_exception(sdc, launch, ep, names, check, e, cap_edge):
    """The exception choice as a plain scan of every exception (OpenSTA's rules:
    exceptions.py docstring)."""
    from edapipe.timing.exceptions import applies, priority

    def matches(objs, clock):
        return any((o.kind == "clock" and clock is not None and o.name == clock)
                   or (o.kind != "clock" and o.name in names) for o in objs)

    def ok(rf, edge):
        return rf is None or rf == edge

    best, rank = None, None
    for k, x in enumerate(sdc.exceptions):
        if not applies(x, check, False):
            continue
        if x.from_objs is not None and k not in launch.signature:
            continue
        if not ok(x.end_rf, e):
            continue
        if x.to_objs is not None:
            by_name = any(o.kind != "clock" and o.name in names for o in x.to_objs) \
                and ok(x.to_rf, e)
            by_clock = matches([o for o in x.to_objs if o.kind == "clock"],
                               ep.capture_clock) and ok(x.to_rf, cap_edge)
            if not (by_name or by_clock):
                continue
        tight = {"multicycle": -x.value, "max_delay": -x.value,
                 "min_delay": x.value}.get(x.kind, 0.0)
        r = (priority(x, check), tight, -k)
        if rank is None or r > rank:
            best, rank = x, r
    return best


def test_indexed_exception_choice_equals_the_scan():
    from edapipe.timing.graph import build_graph
    from edapipe.timing.exceptions import ExceptionChooser
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import design_names

    lib = parse_liberty_text(MINI, "mini.lib")
    verilog = """module top(clk, a, b, y, z);
  input clk, a, b; output y, z; wire n1, n2, q1, q2;
  DFF r1 (.CK(clk), .D(a), .Q(q1));
  DFF r2 (.CK(clk), .D(n1), .Q(q2));
  NAND2 g1 (.A(q1), .B(b), .Y(n1));
  INV g2 (.A(q2), .Y(n2));
  BUF g3 (.A(n2), .Y(y));
  BUF g4 (.A(n1), .Y(z));
endmodule"""
    nl = read_netlist_text(verilog, "t.v", lambda c: list(lib.cells[c].pins)
                           if c in lib.cells else None)
    names = design_names(nl, [lib])
    froms = ["[get_ports a]", "[get_ports b]", "[get_cells r1]", "[get_pins r2/CK]",
             "[get_clocks c]", "[all_registers]", "[all_inputs]", "{a r1}"]
    tos = ["[get_ports y]", "[get_ports z]", "[get_pins r2/D]", "[get_cells r2]",
           "[get_clocks c]", "[all_outputs]", "{y r1/D}"]
    kinds = ["set_false_path", "set_multicycle_path 2", "set_multicycle_path 3 -hold",
             "set_max_delay 0.5", "set_min_delay 0.1", "set_false_path -setup",
             "set_false_path -hold", "set_multicycle_path 4 -setup", "set_max_delay 0.4",
             "set_false_path -rise", "set_multicycle_path 2 -fall -start"]
    rnd = random.Random(5)
    for _ in range(25):
        lines = ["create_clock -name c -period 2 [get_ports clk]",
                 "set_input_delay 0.1 -clock c [get_ports {a b}]",
                 "set_output_delay 0.1 -clock c [all_outputs]"]
        for _ in range(rnd.randint(1, 12)):
            parts = [rnd.choice(kinds)]
            if rnd.random() < 0.7:
                parts.append(rnd.choice(["-from ", "-rise_from ", "-fall_from "])
                             + rnd.choice(froms))
            if rnd.random() < 0.7:
                parts.append(rnd.choice(["-to ", "-rise_to ", "-fall_to "]) + rnd.choice(tos))
            if len(parts) == 1:   # an exception needs a point
                parts.append("-to " + rnd.choice(tos))
            lines.append(" ".join(parts))
        cons = read_sdc_text("\n".join(lines) + "\n", "t.sdc", names, lib.time_unit,
                             lib.cap_unit)
        an = analyze(build_graph(nl, [lib], cons), cons, [lib])
        chooser = ExceptionChooser(cons.exceptions)
        for launch in an.launches:
            for ep in an.endpoints:
                epn = {ep.name}
                if ep.kind == "register":
                    epn.add(ep.name.split("/")[0])
                for check, e, cap in itertools.product((0, 1), (0, 1), (0, 1)):
                    assert chooser.choose(launch.sig_set, frozenset(), epn, ep.capture_clock,
                                          e, cap, check) is \
                        _reference_exception(cons, launch, ep, epn, check, e, cap)


def test_many_exceptions_are_quick():
    from edapipe.timing.graph import build_graph
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import design_names

    lib = parse_liberty_text(MINI, "mini.lib")
    verilog = ("module top(clk, a, y); input clk, a; output y; wire q;\n"
               "DFF r1 (.CK(clk), .D(a), .Q(q)); BUF g (.A(q), .Y(y)); endmodule")
    nl = read_netlist_text(verilog, "t.v", lambda c: list(lib.cells[c].pins)
                           if c in lib.cells else None)
    text = ("create_clock -name c -period 2 [get_ports clk]\n"
            "set_input_delay 0.1 -clock c [get_ports a]\n"
            "set_output_delay 0.1 -clock c [all_outputs]\n"
            + "set_multicycle_path 2 -from [all_registers] -to [all_outputs]\n" * 20000
            + "set_max_delay 5 -from [all_inputs]\n" * 20000)
    with fast(20.0):
        cons = read_sdc_text(text, "t.sdc", design_names(nl, [lib]), lib.time_unit,
                             lib.cap_unit)
        an = analyze(build_graph(nl, [lib], cons), cons, [lib])
    assert {e.name: e.exception[0] for e in an.endpoints} == {"y": "multicycle",
                                                              "r1/D": "max_delay"}


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_overflowing_tables_give_finite_numbers_not_a_traceback(engine):
    """Steep tables on a chain: slews overflow to inf and then nan (inf - inf), which used to
    end the numpy engine's propagation in an IndexError. Lookups are clamped instead."""
    from edapipe.timing.graph import build_graph
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import design_names

    steep = MINI.replace('index_1 ("0.1, 0.5");\n    index_2 ("0.01, 0.05");',
                         'index_1 ("1e-12, 2e-12");\n    index_2 ("1e-12, 2e-12");', 1)
    steep = steep.replace('values ("0.10, 0.30", "0.20, 0.40")',
                          'values ("1e15, -1e15", "-1e15, 1e15")')
    assert steep != MINI
    lib = parse_liberty_text(steep, "steep.lib")
    n = 60
    verilog = ("module top(a, y); input a; output y; wire "
               + ", ".join(f"n{k}" for k in range(n)) + ";\nINV u0 (.A(a), .Y(n0));\n"
               + "".join(f"INV u{k} (.A(n{k - 1}), .Y(n{k}));\n" for k in range(1, n))
               + f"BUF ub (.A(n{n - 1}), .Y(y));\nendmodule\n")
    nl = read_netlist_text(verilog, "t.v", lambda c: list(lib.cells[c].pins))
    cons = read_sdc_text("create_clock -name c -period 1\nset_input_delay 0 -clock c a\n"
                         "set_output_delay 0 -clock c y\nset_input_transition 1e6 a\n", "t.sdc",
                         design_names(nl, [lib]), lib.time_unit, lib.cap_unit)
    an = analyze(build_graph(nl, [lib], cons), cons, [lib], engine)
    import math
    assert all(math.isfinite(s) for e in an.endpoints for s in e.slack)

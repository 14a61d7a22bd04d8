"""The one gate-level Verilog parser (aig/io/vlog_parse): its syntax model, the fast mode's
agreement with the plain parse, and located refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.io import vlog_parse, vlog_syntax
from edapipe.errors import InputError
from edapipe.timing import netlist

DIALECT = vlog_parse.Dialect(what="a gate-level netlist", user="timing", max_bits=1 << 10,
                             max_nesting=4, refused=frozenset(("always", "specify")))


def parse(text: str, fast: bool = True) -> list[vlog_parse.Module]:
    return vlog_parse.parse(text, "t.v", DIALECT, fast)[0]


def fast_only(text: str) -> list[vlog_parse.Module]:
    """The fast mode alone (Reparse where it hands over)."""
    return vlog_parse.Parser(text, "t.v", DIALECT, fast=True).parse()


def located(text: str) -> InputError:
    """The error of the plain parse; the fast one fails too."""
    with pytest.raises(InputError):
        parse(text, fast=True)
    with pytest.raises(InputError) as err:
        parse(text, fast=False)
    assert err.value.file == "t.v"
    return err.value


def plain_model(mods: list[vlog_parse.Module]) -> list:
    """A model without positions, fast items written as the general instances they are."""
    def expr(e):
        if e is None:
            return None
        if e[0] == "cat":
            return ("cat", [expr(x) for x in e[1]])
        return e[:-1]

    out = []
    for m in mods:
        items = []
        for item in m.items:
            if item[0] == "decl":
                d = item[1]
                kind = "input" if d.kind == "input" else d.kind
                items.extend(("decl", kind, d.msb, d.lsb, name, expr(init))
                             for name, _, init in d.names)
            elif item[0] == "assign":
                items.append(("assign", expr(item[1]), expr(item[2])))
            else:
                g = netlist._general(item)
                # (`()` is no connection, named or ordered: the fast mode says named)
                conns = {p: expr(e) for p, (e, _) in g[3].items()} \
                    if isinstance(g[3], dict) and g[3] else [expr(e) for e in g[3]]
                items.append(("inst", g[1], g[2], conns))
        out.append((m.name, [p for p, _ in m.ports], items))
    return out


def test_the_model_of_a_small_netlist():
    text = """// a header comment
module top(input [1:0] a, output y);
  wire n1, \\n[2] ;
  supply1 vdd;
  wire w = {a[1], 1'b0};
  assign n1 = a[0], y = n1;
  INV u1 (.A(a[1]), .Y(\\n[2] ));
  NAND2 #(.X(1)) u2 (n1, a[1:0]), u3 (.A(), .B(n1));
  sub s (.p(n1));
endmodule
module sub(p); input p; endmodule
"""
    mods = parse(text)
    assert [m.name for m in mods] == ["top", "sub"]
    top = mods[0]
    assert [p for p, _ in top.ports] == ["a", "y"]
    kinds = [item[0] for item in top.items]
    # ANSI header declarations first; the simple wire list and the simple instances are fast
    assert kinds == ["decl", "decl", "decl", "decl", "decl", "assign", "assign", "fast",
                     "inst", "inst", "fast"]
    wires = top.items[2][1]
    assert [n for n, _, _ in wires.names] == ["n1", "n[2]"]
    w = top.items[4][1]
    assert w.names[0][2][0] == "cat"
    fast = top.items[7]
    assert fast[1:4] == ("INV", "u1", [("A", "a", "1"), ("Y", "\\n[2] ", "")])
    inst = top.items[8]
    assert inst[1:3] == ("NAND2", "u2") and [e[0] for e in inst[3]] == ["id", "part"]
    assert inst[5] is not None                    # the #( ) span is kept
    assert inst[3][1][2:4] == (1, 0)
    assert top.items[9][3] == {"A": (None, top.items[9][3]["A"][1]),
                               "B": (("id", "n1", top.items[9][3]["B"][0][2]),
                                     top.items[9][3]["B"][1])}
    assert plain_model(parse(text)) == plain_model(parse(text, fast=False))


def test_positions_are_token_indices_located_on_demand():
    text = "module m(a);\n  input a;\n  INV u (.A(a));\nendmodule\n"
    mods, locate = vlog_parse.parse(text, "t.v", DIALECT)
    fast = mods[0].items[-1]
    assert locate(fast[-1]) == (3, 3)              # the statement starts at its cell
    mods, locate = vlog_parse.parse(text, "t.v", DIALECT, fast=False)
    inst = mods[0].items[-1]
    assert locate(inst[4]) == (3, 7)               # the general form: at the instance name
    assert locate(inst[3]["A"][1]) == (3, 11)      # a pin at its name


@pytest.mark.parametrize("body, where, what", [
    (" always @(posedge c) q <= d;\n", (3, 2), "'always' is not allowed"),
    (" specify endspecify\n", (3, 2), "'specify' is not allowed"),
    (" assign y = a & a;\n", (3, 15), "operators are not allowed"),
    (" assign y = ~a;\n", (3, 13), "operators are not allowed"),
    (" INV u [3:0] (.A(a));\n", (3, 8), "instance arrays are not supported"),
    (" wire [2000:0] w;\n", (3, 7), "2001 bits wide; at most 1024"),
    (" assign y = {{{{{a}}}}};\n", (3, 17), "nested deeper than 4"),
    (" assign y = 4'bx1;\n", (3, 13), "x/z bits, which timing cannot use"),
    (" assign y = 2000'b1;\n", (3, 13), "wider than 1024 bits"),
    (" assign y = 4'b9;\n", (3, 13), "bad constant"),
    (" assign y = a[" + "9" * 30 + "];\n", (3, 15), "out of range"),
    (" INV #(.X(1) u (.A(a));\n", (5, 1), "unbalanced parentheses"),
    (" /* open\n", (3, 2), "unterminated comment or attribute"),
    (" (* open\n", (3, 2), "unterminated comment or attribute"),
    (" INV u (.A(a)) x;\n", (3, 16), "expected ';', found 'x'"),
    (" INV u (.A(a));\n", (4, 1), "missing endmodule"),
])
def test_refused_constructs_are_located(body, where, what):
    tail = "" if "missing" in what or "unbalanced" in what else "endmodule\n"
    if "unbalanced" in what:
        tail = "endmodule\n"
    err = located("module m(a, y);\n input a; output y;\n" + body + tail)
    assert (err.line, err.column) == where
    assert what in str(err)


def test_only_modules_at_the_top_level():
    err = located("INV u (.A(a));\n")
    assert (err.line, err.column) == (1, 1) and "expected 'module'" in str(err)


def test_too_wide_fast_declaration_is_left_to_the_general_parser():
    text = "module m(a);\n input a;\n wire [5000:0] w;\nendmodule\n"
    with pytest.raises(vlog_parse.Reparse):
        fast_only(text)
    err = located(text)
    assert (err.line, err.column) == (3, 7)


def test_a_statement_token_inside_another_statement_hands_over_to_the_plain_parse():
    # `input wire [3:0] a;`: the fast scan takes `wire [3:0] a;` as a statement
    text = "module m(a);\n input wire [3:0] a;\nendmodule\n"
    with pytest.raises(vlog_parse.Reparse):
        fast_only(text)
    decl = parse(text)[0].items[0][1]
    assert (decl.kind, decl.msb, decl.lsb, decl.names[0][0]) == ("input", 3, 0, "a")
    nl = netlist.read_netlist_text(text, "t.v", lambda cell: None)
    assert [p.name for p in nl.ports] == ["a[3]", "a[2]", "a[1]", "a[0]"]


def test_escaped_keywords_are_names():
    mods = parse("module m(a);\n input a;\n \\endmodule u (.A(a));\nendmodule\n")
    assert mods[0].items[-1][1] == "endmodule"


def test_many_unterminated_openers_are_quick():
    text = "module m(a);\n input a;\n" + " /* x\n" * 30000 + "endmodule\n"
    err = located(text)
    assert (err.line, err.column) == (3, 2)


# ---- round trips -------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "n1", "_x", "w$2", "\\a[0] ", "\\q.r "])


def _net():
    return st.one_of(
        NAMES.map(lambda n: (n, ("id", vlog_parse.unescape(n)))),
        st.integers(0, 7).map(lambda k: (f"bus[{k}]", ("bit", "bus", k))),
        st.tuples(st.integers(0, 7), st.integers(0, 7)).map(
            lambda r: (f"bus[{r[0]}:{r[1]}]", ("part", "bus", r[0], r[1]))),
        st.tuples(st.integers(1, 8), st.integers(0, 255)).map(
            lambda c: (f"{c[0]}'h{c[1] & ((1 << c[0]) - 1):x}",
                       ("const", [(c[1] >> k) & 1 for k in reversed(range(c[0]))]))))


EXPRS = st.recursive(_net(), lambda inner: st.lists(inner, min_size=1, max_size=3).map(
    lambda parts: ("{" + ", ".join(p[0] for p in parts) + "}",
                   ("cat", [p[1] for p in parts]))), max_leaves=6)
BLANKS = st.sampled_from([" ", "\n", "  ", " /* c */ ", " // c\n", " (* keep *) ", "\t"])


@st.composite
def statements(draw):
    """(text, plain model item) of one statement."""
    choice = draw(st.integers(0, 3))
    sp = draw(BLANKS)
    if choice == 0:
        lhs, rhs = draw(EXPRS), draw(EXPRS)
        return f"assign{sp}{lhs[0]} ={sp}{rhs[0]};", ("assign", lhs[1], rhs[1])
    if choice == 1:
        names = draw(st.lists(NAMES, min_size=1, max_size=3))
        kind = draw(st.sampled_from(["wire", "input", "output", "inout", "tri"]))
        rng = draw(st.sampled_from([None, (3, 0), (0, 7)]))
        head = kind + (f" [{rng[0]}:{rng[1]}]" if rng else "")
        msb, lsb = rng or (None, None)
        return (f"{head}{sp}{', '.join(names)};",
                [("decl", kind, msb, lsb, vlog_parse.unescape(n), None) for n in names])
    cell = draw(st.sampled_from(["INV", "NAND2", "\\weird$cell "]))
    name = draw(st.sampled_from(["u1", "_u", "\\u[3] "]))
    if choice == 2:
        pins = draw(st.lists(st.sampled_from(["A", "B", "Y", "\\Z "]), max_size=3, unique=True))
        conns = [(p, draw(st.one_of(st.none(), EXPRS))) for p in pins]
        text = ", ".join(f".{p}({'' if e is None else e[0]})" for p, e in conns)
        model = {vlog_parse.unescape(p): None if e is None else e[1] for p, e in conns} or []
    else:
        conns = draw(st.lists(EXPRS, max_size=3))
        text = ", ".join(e[0] for e in conns)
        model = [e[1] for e in conns]
    return (f"{cell}{sp}{name}{sp}({text});",
            ("inst", vlog_parse.unescape(cell), vlog_parse.unescape(name), model))


@settings(max_examples=120, deadline=None)
@given(st.lists(statements(), max_size=8), BLANKS)
def test_printed_statements_parse_back_the_same_in_both_modes(stmts, sp):
    text = "module m(a);" + sp + sp.join(s for s, _ in stmts) + sp + "endmodule\n"
    want = []
    for _, item in stmts:
        want.extend(item if isinstance(item, list) else [item])
    try:
        fast = plain_model(fast_only(text))
    except vlog_parse.Reparse:      # the fast mode hands over; the plain parse must read it
        fast = None
    plain = plain_model(parse(text, fast=False))
    assert plain == [("m", ["a"], want)]
    assert fast in (None, plain)
    assert plain_model(parse(text)) == plain


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["module", "m", "(", ")", ";", "a", "\\a[0] ", "4'hA", ",",
                                 ".", "[", "3", ":", "]", "INV", "u", "wire", "input",
                                 "assign", "=", "{", "}", "endmodule", "#", "// c\n",
                                 "/* c */", "(*", "*)", "'", "`x\n", "\n"]), max_size=40))
def test_fast_and_plain_parses_agree_on_any_token_soup(pieces):
    """The fast mode reads a text as the plain one does, or hands over (Reparse), or fails
    where the plain parse fails too."""
    text = " ".join(pieces)
    try:
        plain = ("ok", plain_model(parse(text, fast=False)))
    except InputError:
        plain = ("error",)
    try:
        fast = ("ok", plain_model(fast_only(text)))
    except vlog_parse.Reparse:
        return
    except InputError:
        fast = ("error",)
    assert fast == plain


def test_the_token_list_ends_with_the_end_token_and_directives_are_blanks():
    # (blanks before the end make a second empty match: the end token may come twice)
    toks = vlog_parse.token_re(False).findall("module m; // tail")
    assert toks[:3] == ["module", "m", ";"] and set(toks[3:]) == {""}
    assert vlog_syntax.TOKEN_RE.findall("a `define X\n b") == ["a", "`define", "X", "b", ""]
    assert vlog_parse.token_re(False).findall("a `define X\n b") == ["a", "b", ""]

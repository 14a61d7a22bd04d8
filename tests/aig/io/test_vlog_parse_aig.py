"""The one gate-level Verilog parser (aig/io/vlog_parse) in the AIG reader's dialect: operators,
`?:`, replication, gate primitives, always/initial items, refusals of the RTL hand-off class,
and the model's meaning checked against the AIG reader (aig/io/verilog.py) itself."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edapipe.aig.io import verilog, vlog_parse
from edapipe.aig.io.verilog import UnsupportedVerilog, parse_verilog
from edapipe.errors import InputError
from edapipe.timing import netlist

AIG = vlog_parse.Dialect(
    what="the AIG reader's gate-level subset", user="the AIG reader",
    max_bits=verilog._MAX_WIDTH, max_nesting=verilog._MAX_NESTING, refused=frozenset(("parameter", "localparam", "defparam", "specify",
                                        "generate", "function", "task", "inout")),
    operators=True, gates=True, sequential=True, empty_items=True,
    refusal=UnsupportedVerilog)
NETLIST = netlist._DIALECT


def items(body: str, dialect=AIG) -> list:
    text = f"module m(a, b, c, d, y);\n{body}\nendmodule\n"
    return vlog_parse.parse(text, "t.v", dialect)[0][0].items


def bare(e):
    """An expression without positions."""
    if e is None or isinstance(e, (str, int)):
        return e
    if e[0] in ("cat",):
        return ("cat", [bare(x) for x in e[1]])
    if e[0] == "op":
        return ("op", e[1], [bare(x) for x in e[2]])
    if e[0] == "prefix":
        return ("prefix", e[1], bare(e[2]))
    if e[0] == "rep":
        return ("rep", e[1], bare(e[2]))
    return e[:-1]


def rhs(expr_text: str):
    (item,) = items(f" assign y = {expr_text};")
    assert item[0] == "assign"
    return bare(item[2])


A, B, C, D = (("id", n) for n in "abcd")


def test_binary_operators_bind_by_verilog_precedence_in_flat_chains():
    assert rhs("a | b ^ c & d") == ("op", ("|",), [A, ("op", ("^",), [B, ("op", ("&",),
                                                                            [C, D])])])
    assert rhs("a & b & c & d") == ("op", ("&", "&", "&"), [A, B, C, D])
    assert rhs("a ^ b ~^ c ^~ d") == ("op", ("^", "~^", "^~"), [A, B, C, D])
    assert rhs("(a | b) & c") == ("op", ("&",), [("op", ("|",), [A, B]), C])


def test_prefix_runs_are_one_tuple():
    assert rhs("~&~a") == ("prefix", ("~&", "~"), A)
    assert rhs("~ & ~a") == ("prefix", ("~", "&", "~"), A)
    assert rhs("!a | ^b") == ("op", ("|",), [("prefix", ("!",), A), ("prefix", ("^",), B)])
    deep = rhs("~" * 5000 + "a")            # no recursion per operator
    assert deep[0] == "prefix" and len(deep[1]) == 5000


def test_conditional_chains_nest_to_the_right():
    assert rhs("a ? b : c ? d : a") == ("op", "?", [A, B, C, D, A])
    assert rhs("a | b ? c : d") == ("op", "?", [("op", ("|",), [A, B]), C, D])
    assert rhs("a ? b ? c : d : a") == ("op", "?", [A, ("op", "?", [B, C, D]), A])
    # a chain of any length is read in a loop and is one flat tuple: only `then` arms nest
    chain = " : ".join(["a ? b"] * 1000) + " : c"
    assert len(rhs(chain)[2]) == 2001


def test_replication_and_concatenation():
    assert rhs("{2{a, b}}") == ("rep", 2, ("cat", [A, B]))
    assert rhs("{a, {3{c}}}") == ("cat", [A, ("rep", 3, ("cat", [C]))])
    assert rhs("{2, a}") == ("cat", [("const", [0] * 30 + [1, 0]), A])


def test_lone_semicolons_are_no_items():
    assert [it[0] for it in items(" ; assign y = a; ;;")] == ["assign"]
    with pytest.raises(InputError, match="unexpected ';'"):
        items(" ;", NETLIST)


def test_gate_primitives_are_items_of_their_own():
    got = items(" and g1 (y, a, b), (d, a, c);\n not (b, c, a);")
    assert [(it[0], it[1], it[2], [bare(e) for e in it[3]]) for it in got] == [
        ("gate", "and", "g1", [("id", "y"), A, B]),
        ("gate", "and", None, [D, A, C]),
        ("gate", "not", None, [B, C, A])]


def test_the_netlist_dialect_reads_gate_words_as_cells_and_refuses_operators_as_before():
    (inst,) = items(" and g (.A(a), .Y(y));", NETLIST)
    assert inst[0] == "fast" and inst[1:3] == ("and", "g")
    for body, what in [(" assign y = (a);", "expected a net, found '('"),
                       (" assign y = {2{a}};", "expected '}', found '{'"),
                       (" assign y = a & b;", "found '&' (operators are not allowed in a "
                                              "gate-level netlist)")]:
        with pytest.raises(InputError) as err:
            items(body, NETLIST)
        assert type(err.value) is InputError and what in str(err.value)


def test_always_and_initial_items():
    got = items(" reg q, r;\n always @(posedge c) begin q <= a & b; r <= q; end\n"
                " initial begin q <= 1'b1; r <= 1'bx; end")
    decl, always, initial = got
    assert decl[1].kind == "reg" and [n for n, _, _ in decl[1].names] == ["q", "r"]
    assert always[0] == "always" and always[1] == "c"
    assert [(bare(t), bare(v)) for t, v, _ in always[3]] == [
        (("id", "q"), ("op", ("&",), [A, B])), (("id", "r"), ("id", "q"))]
    assert [(bare(t), bare(v)) for t, v, _ in initial[1]] == [
        (("id", "q"), ("const", [1])), (("id", "r"), ("const", [None]))]
    (single,) = items(" always @(posedge c) y <= a;")
    assert len(single[3]) == 1


def test_declarations_keep_their_net_word():
    # `output reg q` is a port and a reg: the AIG reader makes the reg's latch drive the output
    text = "module m(input wire a, output reg [1:0] q);\n output y; reg r;\nendmodule\n"
    decls = [it[1] for it in vlog_parse.parse(text, "t.v", AIG)[0][0].items]
    assert [(d.kind, d.net, d.msb) for d in decls] == [("input", "wire", None),
                                                        ("output", "reg", 1),
                                                        ("output", None, None),
                                                        ("reg", None, None)]


@pytest.mark.parametrize("body, where, what", [
    (" assign y = a + b;", (2, 15), "found '+' (operators are not allowed"),
    (" assign y = a == b;", (2, 15), "found '=='"),
    (" assign y = -a;", (2, 13), "unary operator '-'"),
    (" assign y = f(a);", (2, 14), "function calls"),
    (" assign y = 4'bx1;", (2, 13), "x/z bits"),
    (" parameter p = 1;", (2, 2), "'parameter' is not allowed"),
    (" always q <= a;", (2, 9), "without an event control"),
    (" always @(a) q <= a;", (2, 11), "only 'always @(posedge clock)'"),
    (" always @(posedge c or negedge d) q <= a;", (2, 21), "several events"),
    (" always @(posedge c) if (a) q <= b;", (2, 22), "'if' in a procedural block"),
    (" always @(posedge c) begin : n q <= b; end", (2, 28), "named blocks"),
    (" initial q <= a;", (2, 15), "initial values other than constants"),
    (" and #1 g (y, a);", (2, 6), "gate delays"),
    (" and g [1:0] (y, a);", (2, 8), "instance arrays"),
])
def test_refusals_are_the_rtl_hand_off_located(body, where, what):
    with pytest.raises(UnsupportedVerilog) as err:
        items(body)
    assert (err.value.line, err.value.column) == where and what in str(err.value)


@pytest.mark.parametrize("body, where, what", [
    (" assign y = a ? b c;", (2, 19), "expected ':' in a conditional expression"),
    (" assign y = (a | b;", (2, 19), "expected ')'"),
    (" assign y = {2{a};", (2, 18), "closing the replication"),
    (" assign a & b = c;", (2, 11), "expected '=' in an assignment, found '&'"),
    (" assign (a) = c;", (2, 9), "expected an assignment target, found '('"),
    (" and g (y);", (2, 6), "needs an output and at least one input"),
    (" and g (y, a;", (2, 13), "',' or ')' in the gate terminals"),
    (" always @(posedge c) {a, b} <= c;", (2, 22), "expected a reg name"),
    (" assign y = " + "(" * 300 + "a" + ")" * 300 + ";", (2, 269), "nested deeper than 256"),
])
def test_syntax_errors_are_plain_input_errors_located(body, where, what):
    with pytest.raises(InputError) as err:
        items(body)
    assert not isinstance(err.value, UnsupportedVerilog)
    assert (err.value.line, err.value.column) == where and what in str(err.value)


# ---- the model means what the AIG reader reads ----------------------------------------------

def _fit(bits: list, width: int) -> list:
    return (bits + [0] * width)[:width]


_REDUCTIONS = {"&": ("&", 0), "|": ("|", 0), "^": ("^", 0), "~&": ("&", 1), "~|": ("|", 1),
               "~^": ("^", 1), "^~": ("^", 1), "!": ("|", 1)}


def _evaluate(e, env: dict) -> list[int]:
    """Bits (LSB first) of a model expression, by the AIG reader's rules: operands of a binary
    operator and the arms of `?:` are zero-extended to the wider one, a condition is the OR
    of its bits."""
    kind = e[0]
    if kind == "id":
        return list(env[e[1]])
    if kind == "bit":
        return [env[e[1]][e[2]]]
    if kind == "part":
        return env[e[1]][e[3]:e[2] + 1]
    if kind == "const":
        return list(reversed(e[1]))
    if kind == "cat":
        return [b for part in reversed(e[1]) for b in _evaluate(part, env)]
    if kind == "rep":
        return _evaluate(e[2], env) * e[1]
    if kind == "prefix":
        v = _evaluate(e[2], env)
        for op in reversed(e[1]):
            if op == "~":
                v = [x ^ 1 for x in v]
                continue
            base, neg = _REDUCTIONS[op]
            r = all(v) if base == "&" else any(v) if base == "|" else sum(v) & 1
            v = [int(r) ^ neg]
        return v
    if e[1] == "?":       # c1, t1, c2, t2, ..., else: widths fitted from the innermost out
        args = e[2]
        v = _evaluate(args[-1], env)
        for k in range(len(args) - 3, -1, -2):
            then = _evaluate(args[k + 1], env)
            width = max(len(then), len(v))
            v = _fit(then if any(_evaluate(args[k], env)) else v, width)
        return v
    v = _evaluate(e[2][0], env)
    for op, arg in zip(e[1], e[2][1:]):
        w = _evaluate(arg, env)
        width = max(len(v), len(w))
        v, w = _fit(v, width), _fit(w, width)
        if op == "&":
            v = [x & y for x, y in zip(v, w)]
        elif op == "|":
            v = [x | y for x, y in zip(v, w)]
        else:
            v = [x ^ y ^ (op != "^") for x, y in zip(v, w)]
    return v


def _simulate(aig, values: list[int]) -> list[int]:
    """Outputs of a combinational AIG for input bits (pure Python: a handful of nodes)."""
    lits = {0: 0}
    for k, v in enumerate(values):
        lits[k + 1] = v
    var = aig.first_and_var
    for f0, f1 in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        lits[var] = (lits[f0 >> 1] ^ (f0 & 1)) & (lits[f1 >> 1] ^ (f1 & 1))
        var += 1
    return [lits[o >> 1] ^ (o & 1) for o in aig.outputs.tolist()]


LEAVES = st.sampled_from(["a", "b", "c", "v", "v[2]", "v[3:1]", "1'b1", "2'b10", "3", "4'hA"])
PREFIXES = st.sampled_from(["~", "!", "&", "|", "^", "~&", "~|", "~^", "~ &"])
BINARY = st.sampled_from(["&", "|", "^", "~^", "^~"])


def _combine(inner):
    return st.one_of(
        st.tuples(inner, BINARY, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        # a blank before an operand that starts with an operator: `&` then `&a` would be
        # the token `&&`, and `~` then `^a` the token `~^`
        st.tuples(PREFIXES, inner).map(lambda t: f"{t[0]}{t[1]}" if t[1][0] not in "~!&|^"
                                       else f"{t[0]} {t[1]}"),
        inner.map(lambda x: f"({x})"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: "{" + ", ".join(xs) + "}"),
        st.tuples(st.integers(1, 3), inner).map(lambda t: f"{{{t[0]}{{{t[1]}}}}}"))


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS)
def test_the_model_of_an_expression_means_what_the_aig_reader_builds(expr_text):
    text = (f"module m(a, b, c, v, y);\n input a, b, c;\n input [3:0] v;\n output [4:0] y;\n"
            f" assign y = {expr_text};\nendmodule\n")
    aig = parse_verilog(text.encode(), "t.v")
    model = vlog_parse.parse(text, "t.v", AIG)[0][0]
    (assign,) = [it for it in model.items if it[0] == "assign"]
    for values in itertools.product((0, 1), repeat=7):
        env = {"a": [values[0]], "b": [values[1]], "c": [values[2]], "v": list(values[3:])}
        want = _fit(_evaluate(assign[2], env), 5)
        # the AIG's inputs are a, b, c, v[0] .. v[3] and its outputs y[0] .. y[4] (bits are
        # declared LSB first)
        assert _simulate(aig, list(values)) == want, values

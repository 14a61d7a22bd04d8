"""Hypothesis strategies that damage seed files the way issue 13's campaign did.

`mutants(seeds, corpus)` draws a seed and applies one to four edit operations, each chosen by
Hypothesis (so runs are reproducible from a seed and every choice is recorded):

- bytes: flip a bit, overwrite with an interesting byte, insert random bytes, delete,
  duplicate or move a slice, truncate, replace everything with random bytes;
- lines: delete, duplicate (up to thousands of times), swap, or insert a line of another seed;
- splicing: a prefix of this seed followed by a suffix of any seed (any format);
- numbers: replace a number with huge, negative, zero, fractional, NaN, infinite,
  overflowing (`1e400`, `10**400` written out) or hexadecimal values;
- names: replace an identifier by another one of the seed (dangling or self references,
  recursive instantiation), or by a long one;
- tokens: insert a keyword or punctuation harvested from the seeds;
- nesting: insert `(`*k ... `)`*k, `{`, `[`, `[set ...]`, unary `-`/`~`/`!`, `begin`/`end`,
  `.subckt` chains and the like, k up to 20,000;
- long lines: runs of one character up to 300,000 bytes;
- encodings: NUL, bytes that are not UTF-8, BOM, CR/LF changes.

Every operation keeps the result under `MAX_LEN` bytes so one case stays cheap.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

MAX_LEN = 1_500_000

INTERESTING_BYTES = b"\x00\xff\x7f\n\r\t ()[]{}\"'\\;:,.=*$-+#/!~&|^?`@<>01"

NUMBERS = [
    b"0", b"-0", b"1", b"-1", b"2", b"-2147483648", b"2147483647", b"4294967296",
    b"9223372036854775807", b"18446744073709551616", b"999999999", b"-999999999",
    b"1" + b"0" * 400, b"9" * 5000, b"1e308", b"1e400", b"-1e400", b"1e-30", b"1e-320",
    b"1e-400", b"nan", b"NaN", b"-nan", b"inf", b"-inf", b"Infinity", b"0.0", b"1.5",
    b"0x7fffffff", b"1e9", b"1e-9", b"2**20000", b"9**9**9", b"1meg", b"1T", b"5%0", b"5/0",
    b"1_000", b"0b101", b"'hFF", b"32'hffffffff", b"1'bx", b"0.5e",
]

# (opening, closing) pairs for nesting; the closing part may be empty
NESTS = [
    (b"(", b")"), (b"{", b"}"), (b"[", b"]"), (b"[set x ", b"]"), (b"[expr {", b"}]"),
    (b"-", b""), (b"~", b""), (b"!", b""), (b"- ", b""), (b"begin ", b" end"),
    (b"((", b"))"), (b"{(", b")}"), (b"f(", b")"), (b"\"", b"\""), (b"/*", b"*/"),
    (b"a+(", b")"), (b"{x/2*(", b")}"), (b"!(A&", b")"), (b"{{", b"}}"),
]
NEST_DEPTHS = [2, 10, 100, 300, 1000, 5000, 20000]

REPEATS = [2, 3, 10, 40, 100, 1000, 5000]
LONG_LENGTHS = [256, 4096, 70_000, 300_000]

_NUMBER = re.compile(rb"(?<![A-Za-z_0-9.])[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_$]*")
_TOKEN = re.compile(rb"[A-Za-z_.][A-Za-z0-9_$.]*|[^\sA-Za-z0-9_]")


def _cap(data: bytes | bytearray) -> bytes:
    return bytes(data[:MAX_LEN])


def _pos(draw, data, end_inclusive=True) -> int:
    n = len(data)
    return draw(st.integers(0, n if end_inclusive else max(n - 1, 0)))


def _span(draw, data, max_len: int = 4096) -> tuple[int, int]:
    a = _pos(draw, data)
    b = draw(st.integers(a, min(len(data), a + max_len)))
    return a, b


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


# --- byte-level operations --------------------------------------------------------------

def op_flip_bit(draw, data, corpus):
    if not data:
        return data
    i = _pos(draw, data, False)
    out = bytearray(data)
    out[i] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def op_set_byte(draw, data, corpus):
    if not data:
        return data
    i = _pos(draw, data, False)
    b = draw(st.sampled_from(INTERESTING_BYTES) | st.integers(0, 255))
    return data[:i] + bytes([b]) + data[i + 1:]


def op_insert_bytes(draw, data, corpus):
    i = _pos(draw, data)
    blob = draw(st.binary(min_size=1, max_size=16))
    return data[:i] + blob + data[i:]


def op_delete_slice(draw, data, corpus):
    a, b = _span(draw, data)
    return data[:a] + data[b:]


def op_duplicate_slice(draw, data, corpus):
    a, b = _span(draw, data, 512)
    k = draw(st.sampled_from(REPEATS))
    at = _pos(draw, data)
    return _cap(data[:at] + data[a:b] * k + data[at:])


def op_move_slice(draw, data, corpus):
    a, b = _span(draw, data, 512)
    piece, rest = data[a:b], data[:a] + data[b:]
    at = _pos(draw, rest)
    return rest[:at] + piece + rest[at:]


def op_truncate(draw, data, corpus):
    return data[:_pos(draw, data)]


def op_random(draw, data, corpus):
    return draw(st.binary(max_size=512))


# --- line-level operations --------------------------------------------------------------

def op_delete_line(draw, data, corpus):
    lines = _lines(data)
    i = draw(st.integers(0, len(lines) - 1))
    return b"".join(lines[:i] + lines[i + 1:])


def op_duplicate_line(draw, data, corpus):
    lines = _lines(data)
    i = draw(st.integers(0, len(lines) - 1))
    k = draw(st.sampled_from(REPEATS))
    return _cap(b"".join(lines[:i] + [lines[i]] * k + lines[i + 1:]))


def op_swap_lines(draw, data, corpus):
    lines = _lines(data)
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def op_foreign_line(draw, data, corpus):
    lines = _lines(data)
    other = _lines(draw(st.sampled_from(corpus)))
    line = draw(st.sampled_from(other))
    if not line.endswith(b"\n"):
        line += b"\n"
    i = draw(st.integers(0, len(lines)))
    return b"".join(lines[:i] + [line] + lines[i:])


def op_splice(draw, data, corpus):
    other = draw(st.sampled_from(corpus))
    return data[:_pos(draw, data)] + other[_pos(draw, other):]


# --- token-level operations -------------------------------------------------------------

def op_number(draw, data, corpus):
    spans = [m.span() for m in _NUMBER.finditer(data)]
    value = draw(st.sampled_from(NUMBERS))
    if not spans:
        i = _pos(draw, data)
        return data[:i] + value + data[i:]
    a, b = draw(st.sampled_from(spans))
    return data[:a] + value + data[b:]


def op_identifier(draw, data, corpus):
    spans = [m.span() for m in _IDENT.finditer(data)]
    if not spans:
        return data
    a, b = draw(st.sampled_from(spans))
    if draw(st.integers(0, 4)) == 0:
        name = b"n" * draw(st.sampled_from(LONG_LENGTHS))
    else:
        c, d = draw(st.sampled_from(spans))
        name = data[c:d]
    return _cap(data[:a] + name + data[b:])


_token_cache: dict[int, list[bytes]] = {}


def op_token(draw, data, corpus):
    tokens = _token_cache.get(id(corpus))
    if tokens is None:
        tokens = _token_cache[id(corpus)] = sorted({t for seed in corpus
                                                     for t in _TOKEN.findall(seed)})
    tok = draw(st.sampled_from(tokens))
    i = _pos(draw, data)
    sep = draw(st.sampled_from([b" ", b"", b"\n"]))
    return data[:i] + sep + tok + sep + data[i:]


def op_nest(draw, data, corpus):
    opening, closing = draw(st.sampled_from(NESTS))
    k = draw(st.sampled_from(NEST_DEPTHS))
    middle = draw(st.sampled_from([b"1", b"a", b"", b"x"]))
    i = _pos(draw, data)
    return _cap(data[:i] + opening * k + middle + closing * k + data[i:])


def op_long_run(draw, data, corpus):
    ch = draw(st.sampled_from([b"a", b"1", b" ", b"\\", b"*", b"$", b"\n", b"x\\\n", b"+ ",
                               b"(", b"\"", b"0"]))
    n = draw(st.sampled_from(LONG_LENGTHS))
    i = _pos(draw, data)
    return _cap(data[:i] + ch * (n // len(ch)) + data[i:])


def op_encoding(draw, data, corpus):
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return data.replace(b"\n", b"\r\n")
    if kind == 1:
        return data.replace(b"\n", b"\r")
    if kind == 2:
        return b"\xef\xbb\xbf" + data
    i = _pos(draw, data)
    blob = [b"\x00", b"\xc3\x28", b"\xe2\x80\xa8", b"\xf0\x9f\x92\xa9"][kind - 2]
    return data[:i] + blob + data[i:]


# (operation, weight): byte damage and token edits dominate, as in the campaign
OPERATIONS = [
    (op_flip_bit, 4), (op_set_byte, 4), (op_insert_bytes, 3), (op_delete_slice, 3),
    (op_duplicate_slice, 2), (op_move_slice, 1), (op_truncate, 3), (op_random, 1),
    (op_delete_line, 3), (op_duplicate_line, 2), (op_swap_lines, 2), (op_foreign_line, 2),
    (op_splice, 2), (op_number, 5), (op_identifier, 3), (op_token, 3), (op_nest, 2),
    (op_long_run, 1), (op_encoding, 1),
]
_WEIGHTED = [op for op, w in OPERATIONS for _ in range(w)]


@st.composite
def mutants(draw, seeds: list[bytes], corpus: list[bytes]) -> bytes:
    """One damaged input: a seed of this reader and one to four edits (one most often)."""
    data = draw(st.sampled_from(seeds))
    n_ops = draw(st.sampled_from([1, 1, 1, 2, 2, 3, 4]))
    for _ in range(n_ops):
        op = draw(st.sampled_from(_WEIGHTED))
        data = op(draw, data, corpus)
    return data

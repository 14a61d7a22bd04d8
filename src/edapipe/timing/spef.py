"""SPEF (IEEE 1481) parasitics: the detailed RC networks of nets, in SI units.

Read: the header units (`*T_UNIT`, `*C_UNIT`, `*R_UNIT`), `*DIVIDER`, `*DELIMITER`,
`*NAME_MAP` (`*N name`), `*PORTS`, and per net `*D_NET name total` with `*CONN` (`*P port`,
`*I inst:pin`, attributes after the direction ignored), `*CAP` (ground `id node value`,
coupling `id node other value`, grounded with factor 1 at its end in this net, as
OpenSTA's `read_spef` does by default), `*RES` (`id node node value`), `*END`; and the
reduced form `*R_NET name total` with `*DRIVER pin`, `*C2_R1_C1 c2 r1 c1` and `*LOADS` /
`*RC pin elmore` (a pi model and Elmore delays given directly). `*INDUC` sections are
skipped (OpenSTA ignores inductance too). Names are unescaped (`\\[` is `[`).

Hostile input: the reader is one loop over tokens (no recursion), every count is bounded by
the text's size, numbers must be finite, and every error is located (file:line:column).

Speed: the text is split into words line by line (str.split, no regex match objects), each
word keeping only its line; a column is worked out again only for an error. Node names
repeat across `*CONN`, `*CAP` and `*RES`, so each raw name is resolved once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from edapipe.errors import InputError, excerpt

_UNITS_T = {"S": 1.0, "MS": 1e-3, "US": 1e-6, "NS": 1e-9, "PS": 1e-12, "FS": 1e-15}
_UNITS_C = {"F": 1.0, "MF": 1e-3, "UF": 1e-6, "NF": 1e-9, "PF": 1e-12, "FF": 1e-15}
_UNITS_R = {"OHM": 1.0, "KOHM": 1e3, "MOHM": 1e6}
_TOKEN = re.compile(r"\S+")
_UNESCAPE = re.compile(r"\\(.)")
MAX_MAGNITUDE = 1e15   # in SPEF units: beyond it a value cannot be meant


@dataclass(repr=False, eq=False)
class SpefNet:
    """One net's parasitics: nodes by name, ground capacitance per node (F), resistors."""

    name: str
    line: int
    nodes: dict[str, int] = field(default_factory=dict)
    node_names: list[str] = field(default_factory=list)
    cap: list[float] = field(default_factory=list)
    res: list[tuple[int, int, float]] = field(default_factory=list)   # (node, node, ohm)
    pins: list[str] = field(default_factory=list)   # *CONN names (inst/pin or port)
    # the reduced form (*R_NET): driver pin, (c2, rpi, c1) and load -> Elmore delay (s)
    reduced: tuple[str, tuple[float, float, float], dict[str, float]] | None = None

    def node(self, name: str) -> int:
        k = self.nodes.get(name)
        if k is None:
            k = self.nodes[name] = len(self.node_names)
            self.node_names.append(name)
            self.cap.append(0.0)
        return k


@dataclass(repr=False, eq=False)
class Spef:
    design: str
    nets: list[SpefNet]
    divider: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """Tokens are whitespace-separated words, kept with their line index; a token's column
    is worked out again only for an error (the reader stays one pass of str.split)."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename
        self.tokens: list[str] = []
        self.tok_line: list[int] = []
        self.names: dict[str, str] = {}
        self.bulk_map: dict[str, str] = {}
        self.bulk_at = -1                   # the index of the bulk map's `*NAME_MAP` token
        lines = text.split("\n")
        # the name map (often most of a file: gcd's 10,960 of 19,499 lines) is read in bulk
        # when it is plain `index name` pairs on lines of their own, standing as one
        # `*NAME_MAP` token; otherwise token by token as the rest
        span = _name_map_lines(text)
        if span is not None:
            first, end = span
            pairs = "\n".join(lines[first + 1:end]).split()
            # (indexes in one regular expression match: _is_index per word costs 2 ms on
            # gcd; a word it refuses, a non-ASCII digit, takes the token by token way)
            if len(pairs) % 2 == 0 and pairs and \
                    _INDEXES.fullmatch(" ".join(pairs[0::2])) is not None:
                self.bulk_map = dict(zip(pairs[0::2], pairs[1::2]))
                self._add(lines, 0, first)
                self.bulk_at = len(self.tokens)
                self.tokens.append("*NAME_MAP")
                self.tok_line.append(first)
                self._add(lines, end, len(lines))
        if self.bulk_at < 0:
            self._add(lines, 0, len(lines))
        self.k = 0
        self.units = {"T": 1e-9, "C": 1e-12, "R": 1.0}
        self.resolved: dict[str, str] = {}   # raw name -> name (nets repeat their nodes)
        self.divider = "/"
        self.delimiter = ":"
        self.bus = "[]"

    def _add(self, lines: list[str], a: int, b: int) -> None:
        """The words of lines a..b-1 as tokens."""
        tokens, tok_line = self.tokens, self.tok_line
        for ln in range(a, b):
            words = lines[ln].split()
            if words:
                tokens += words
                tok_line += [ln] * len(words)

    def error(self, reason: str, at: int | None = None) -> InputError:
        """An error at token `at` (default: the current one; past the end: the end)."""
        if at is None:
            at = min(self.k, len(self.tokens) - 1)
        if not 0 <= at < len(self.tokens):
            line = self.text.count("\n") + 1
            col = len(self.text) - (self.text.rfind("\n") + 1) + 1
            return InputError(reason, file=self.filename, line=line, column=col)
        ln = self.tok_line[at]
        first = at
        while first > 0 and self.tok_line[first - 1] == ln:
            first -= 1
        text = self.text.split("\n", ln + 1)[ln]
        words = list(_TOKEN.finditer(text))
        col = words[at - first].start() + 1 if at - first < len(words) else 1
        return InputError(reason, file=self.filename, line=ln + 1, column=col)

    def peek(self) -> str | None:
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def next(self, what: str) -> tuple[str, int]:
        """The next token and its index."""
        k = self.k
        if k >= len(self.tokens):
            raise self.error(f"SPEF ends early: expected {what}", len(self.tokens))
        self.k = k + 1
        return self.tokens[k], k

    def string(self, what: str) -> str:
        tok, off = self.next(what)
        if tok.startswith('"'):
            parts = [tok]
            while not (len(parts[-1]) > 1 and parts[-1].endswith('"')) and \
                    not (len(parts) > 1 and parts[-1].endswith('"')):
                parts.append(self.next("the closing quote")[0])
            return " ".join(parts).strip('"')
        return tok

    def number(self, what: str, scale: float) -> float:
        tok, off = self.next(what)
        try:
            v = float(tok.split(":", 1)[0])  # min:typ:max triplets: the first value
        except ValueError:
            raise self.error(f"{what} must be a number, found {excerpt(tok, 40)!r}",
                             off) from None
        if not math.isfinite(v) or abs(v) > MAX_MAGNITUDE:
            raise self.error(f"{what} is not a finite number within {MAX_MAGNITUDE:g}", off)
        return v * scale

    def name(self, tok: str) -> str:
        """A SPEF name: `*N` references resolved, escapes removed, the pin delimiter turned
        into the netlist's `/`."""
        got = self.resolved.get(tok)
        if got is None:
            got = self.resolved[tok] = self._resolve(tok)
        return got

    def _resolve(self, tok: str) -> str:
        if tok.startswith("*") and len(tok) > 1:
            head, sep, rest = tok.partition(self.delimiter)
            mapped = self.names.get(head)
            if mapped is not None:
                tok = mapped + sep + rest
        inst, sep, pin = _rpartition_unescaped(tok, self.delimiter)
        if sep:
            tok = f"{inst}/{pin}"
        return _UNESCAPE.sub(r"\1", tok) if "\\" in tok else tok

    def unit(self, table: dict[str, float], key: str) -> None:
        value = self.number(f"*{key}_UNIT value", 1.0)
        word, off = self.next(f"*{key}_UNIT unit")
        scale = table.get(word.upper())
        if scale is None or value <= 0:
            raise self.error(f"unknown *{key}_UNIT {excerpt(word, 20)!r}", off)
        self.units[key] = value * scale

    def read(self) -> Spef:
        design = ""
        nets: list[SpefNet] = []
        warnings: list[str] = []
        if not self.tokens or self.tokens[0] != "*SPEF":
            raise InputError("not a SPEF file (it does not start with *SPEF)",
                             file=self.filename, line=1 + (self.tok_line[0] if self.tokens
                                                           else 0), column=1)
        while self.k < len(self.tokens):
            tok, off = self.next("a keyword")
            if tok == "*DESIGN":
                design = self.string("the design name")
            elif tok == "*T_UNIT":
                self.unit(_UNITS_T, "T")
            elif tok == "*C_UNIT":
                self.unit(_UNITS_C, "C")
            elif tok == "*R_UNIT":
                self.unit(_UNITS_R, "R")
            elif tok == "*L_UNIT":
                self.next("*L_UNIT value")
                self.next("*L_UNIT unit")
            elif tok == "*DIVIDER":
                self.divider = self.next("the divider")[0]
            elif tok == "*DELIMITER":
                self.delimiter = self.next("the delimiter")[0]
                self.resolved.clear()
            elif tok == "*BUS_DELIMITER":
                self.bus = self.next("the bus delimiter")[0]
                if self.peek() is not None and not self.peek().startswith("*"):
                    self.bus += self.next("the bus delimiter")[0]
            elif tok in ("*SPEF", "*DATE", "*VENDOR", "*PROGRAM", "*VERSION"):
                self.string("a header string")
            elif tok == "*DESIGN_FLOW":
                while self.peek() is not None and self.peek().startswith('"'):
                    self.string("a design flow string")
            elif tok == "*NAME_MAP":
                if off == self.bulk_at:   # its pairs, read in bulk
                    self.names.update(self.bulk_map)
                while self.peek() is not None and _is_index(self.peek()):
                    key, _ = self.next("a name map index")
                    self.names[key] = self.next("a name map name")[0]
                self.resolved.clear()
            elif tok in ("*PORTS", "*PHYSICAL_PORTS"):
                while self.peek() is not None and not _is_section(self.peek()):
                    self.next("a port")
            elif tok == "*D_NET":
                nets.append(self.d_net(off))
            elif tok == "*R_NET":
                nets.append(self.r_net(off))
            elif tok in ("*POWER_NETS", "*GROUND_NETS"):
                while self.peek() is not None and not _is_section(self.peek()):
                    self.next("a net name")
            elif tok in ("*DEFINE", "*PDEFINE"):
                self.next("an entity")
                self.string("a design name")
            else:
                raise self.error(f"unexpected {excerpt(tok, 40)!r} in SPEF", off)
        return Spef(design, nets, self.divider, self.delimiter, warnings)

    def d_net(self, start: int) -> SpefNet:
        net = SpefNet(self.name(self.next("the net name")[0]), self.tok_line[start] + 1)
        self.number("the net's total capacitance", 1.0)
        cu, ru = self.units["C"], self.units["R"]
        section = None
        # the usual entries (`id node value`, `id node node value`, plain numbers) are read
        # with local names below; any other form goes the general way, with its errors
        tokens, tok_line, n_tok = self.tokens, self.tok_line, len(self.tokens)
        resolved, name, node, caps = self.resolved, self.name, net.node, net.cap
        while True:
            off = self.k
            if off >= n_tok:
                self.next("*END")   # (raises: the SPEF ends early)
            tok = tokens[off]
            self.k = off + 1
            if tok == "*END":
                return net
            if tok in ("*CONN", "*CAP", "*RES", "*INDUC"):
                section = tok
                continue
            if section == "*CAP" and off + 2 < n_tok:
                line = tok_line[off]
                j = off + 2         # after the node
                count = 1
                while j + count < n_tok and tok_line[j + count] == line:
                    count += 1
                if count <= 2:
                    try:
                        v = float(tokens[j + count - 1])
                    except ValueError:
                        v = math.nan
                    if abs(v) <= MAX_MAGNITUDE:
                        a = resolved.get(tokens[off + 1]) or name(tokens[off + 1])
                        b = None if count == 1 else \
                            resolved.get(tokens[j]) or name(tokens[j])
                        c = v * cu
                        caps[node(a)] += c
                        if b is not None:
                            caps[node(b)] += c
                        self.k = j + count
                        continue
            elif section == "*RES" and off + 3 < n_tok:
                try:
                    v = float(tokens[off + 3])
                except ValueError:
                    v = math.nan
                if 0.0 <= v <= MAX_MAGNITUDE:
                    a = resolved.get(tokens[off + 1]) or name(tokens[off + 1])
                    b = resolved.get(tokens[off + 2]) or name(tokens[off + 2])
                    net.res.append((node(a), node(b), v * ru))
                    self.k = off + 4
                    continue
            if section == "*CONN":
                if tok not in ("*P", "*I"):
                    if tok in ("*C", "*L", "*S", "*D"):  # attributes of the last pin
                        self._skip_attribute(tok)
                        continue
                    raise self.error(f"expected *P or *I in *CONN, found {excerpt(tok, 40)!r}",
                                     off)
                pin = self.name(self.next("a pin name")[0])
                self.next("the pin's direction")
                net.pins.append(pin)
                net.node(pin)
            elif section == "*CAP":
                # `id node value` or, coupling, `id node other value`: the entry ends
                # with its line; a coupling capacitor is grounded at the first node
                line = self.tok_line[off]
                a = self.name(self.next("a node name")[0])
                count = 1
                while self.k + count < len(self.tokens) and \
                        self.tok_line[self.k + count] == line:
                    count += 1
                b = None
                if count == 2:
                    b = self.name(self.next("the coupled node")[0])
                elif count != 1:
                    raise self.error("a *CAP entry is `id node value` or `id node node "
                                     "value`", off)
                c = self.number("a capacitance", cu)
                net.cap[net.node(a)] += c
                if b is not None:
                    # grounded at both ends: the end in another net is never reached
                    # through this net's resistors, so only this net's end counts
                    net.cap[net.node(b)] += c
            elif section == "*RES":
                a = self.name(self.next("a node name")[0])
                b = self.name(self.next("a node name")[0])
                r = self.number("a resistance", ru)
                if r < 0:
                    raise self.error("a resistance cannot be negative", off)
                net.res.append((net.node(a), net.node(b), r))
            elif section == "*INDUC":
                self.next("a node name")
                self.next("a node name")
                self.next("an inductance")
            else:
                raise self.error(f"expected *CONN, *CAP or *RES, found {excerpt(tok, 40)!r}",
                                 off)

    def _skip_attribute(self, tok: str) -> None:
        if tok == "*C":
            self.next("a coordinate")
            self.next("a coordinate")
        else:
            self.next("an attribute value")

    def r_net(self, start: int) -> SpefNet:
        net = SpefNet(self.name(self.next("the net name")[0]), self.tok_line[start] + 1)
        self.number("the net's total capacitance", 1.0)
        cu, ru, tu = self.units["C"], self.units["R"], self.units["T"]
        driver = None
        pi = (0.0, 0.0, 0.0)
        loads: dict[str, float] = {}
        while True:
            tok, off = self.next("*END")
            if tok == "*END":
                if driver is None:
                    raise self.error("*R_NET without *DRIVER", off)
                net.reduced = (driver, pi, loads)
                return net
            if tok == "*DRIVER":
                driver = self.name(self.next("the driver pin")[0])
                net.pins.append(driver)
            elif tok == "*CELL":
                self.next("the driver's cell")
            elif tok == "*C2_R1_C1":
                pi = (self.number("c2", cu), self.number("r1", ru), self.number("c1", cu))
            elif tok == "*LOADS":
                continue
            elif tok == "*RC":
                load = self.name(self.next("a load pin")[0])
                net.pins.append(load)
                loads[load] = self.number("an Elmore delay", tu)
            elif tok == "*Q":  # pole/residue descriptions: not used (OpenSTA uses Elmore)
                while self.peek() is not None and self.peek() not in ("*RC", "*END", "*Q"):
                    self.next("a pole or residue")
            else:
                raise self.error(f"unexpected {excerpt(tok, 40)!r} in *R_NET", off)


_NAME_MAP_LINE = re.compile(r"^[ \t\r\f\v]*\*NAME_MAP[ \t\r\f\v]*$", re.M)
_SECTION_WORD = re.compile(r"\*[A-Za-z_]")
_INDEXES = re.compile(r"(?:\*?[0-9]+ )*\*?[0-9]+")


def _name_map_lines(text: str) -> tuple[int, int] | None:
    """(the line of a `*NAME_MAP` alone on its line, the line of the next section keyword
    that starts a line, or the line count), or None without such a name map."""
    m = _NAME_MAP_LINE.search(text)
    if m is None:
        return None
    first = text.count("\n", 0, m.start())
    pos = m.end()
    while True:
        # (a keyword anywhere, then whether only blanks precede it on its line: much
        # faster than a line-anchored search through the name map)
        nxt = _SECTION_WORD.search(text, pos)
        if nxt is None:
            return first, text.count("\n") + 1
        start = text.rfind("\n", 0, nxt.start()) + 1
        if not text[start:nxt.start()].strip(" \t\r\f\v"):
            return first, first + text.count("\n", m.start(), nxt.start())
        pos = nxt.end()


def _is_index(tok: str) -> bool:
    return len(tok) > 1 and tok[0] == "*" and tok[1:].isdigit() or tok.isdigit()


def _is_section(tok: str) -> bool:
    return tok.startswith("*") and len(tok) > 1 and not tok[1].isdigit()


def _rpartition_unescaped(tok: str, delim: str) -> tuple[str, str, str]:
    k = len(tok)
    while True:
        k = tok.rfind(delim, 0, k)
        if k <= 0:
            return tok, "", ""
        if tok[k - 1] != "\\":
            return tok[:k], delim, tok[k + 1:]


def read_spef_text(text: str, filename: str) -> Spef:
    if "\0" in text:
        raise InputError("NUL byte: this is not a text (SPEF) file", file=filename)
    return _Reader(text, filename).read()

"""AIGER reader and writer: ASCII (aag) and binary (aig), combinational and sequential.

AIGER 1.9 headers (`M I L O A B C J F`) are read. Bad-state properties (B) and invariant
constraints (C) are kept on the Aig; justice (J) and fairness (F) properties cannot be
represented and are refused with an error rather than dropped. Latch reset values 0, 1 and
"uninitialized" (the latch's own literal) are kept. The symbol table and comments survive.

Binary files are kept exactly as written (no re-hashing: that is `edapipe strash`); ASCII files
may list ANDs in any order and are sorted, checked for cycles and hashed on the way in.
"""

from __future__ import annotations

import numpy as np

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.errors import InputError, excerpt

_MAX_COUNT = 1 << 29  # literals must fit in int32
_MAX_DIGITS = 18      # a number of more digits is over every limit (and int() refuses 4300+)


def _is_number(field) -> bool:
    """An ASCII decimal number short enough to convert (str or bytes)."""
    return 0 < len(field) <= _MAX_DIGITS and field.isdigit() and field.isascii()


class _Lines:
    """Line-by-line access to the text parts of an AIGER file, tracking line numbers."""

    def __init__(self, data: bytes, filename: str):
        self.data = data
        self.filename = filename
        self.pos = 0
        self.lineno = 0

    def error(self, reason: str, line: int | None = None, column: int | None = None):
        return InputError(reason, file=self.filename, line=self.lineno if line is None else line,
                          column=column)

    def next_line(self, what: str) -> str:
        if self.pos >= len(self.data):
            self.lineno += 1
            raise self.error(f"unexpected end of file: expected {what}")
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            end = len(self.data)
        raw = self.data[self.pos:end]
        self.pos = end + 1
        self.lineno += 1
        try:
            return raw.decode("ascii").rstrip("\r")
        except UnicodeDecodeError:
            raise self.error(f"expected {what}, found binary data") from None

    def ints(self, what: str, count_min: int, count_max: int) -> list[int]:
        line = self.next_line(what)
        fields = line.split(" ")
        if not (count_min <= len(fields) <= count_max) or \
                any(not _is_number(f) for f in fields):
            if all(f.isdigit() for f in fields) and count_min <= len(fields) <= count_max:
                raise self.error(f"expected {what}, found a number of more than {_MAX_DIGITS} "
                                 "digits", column=1)
            raise self.error(f"expected {what}, found {line[:60]!r}", column=1)
        return [int(f) for f in fields]


def parse_aiger(data: bytes, filename: str = "<aiger>") -> Aig:
    lines = _Lines(data, filename)
    header = lines.next_line("an AIGER header 'aig M I L O A' or 'aag M I L O A'")
    fields = header.split()
    if not fields or fields[0] not in ("aig", "aag"):
        raise lines.error("not an AIGER file: the header must start with 'aig' or 'aag'", column=1)
    binary = fields[0] == "aig"
    nums = fields[1:]
    if not (5 <= len(nums) <= 9) or any(not f.isdigit() for f in nums):
        raise lines.error(f"bad header {header[:60]!r}: expected '{fields[0]} M I L O A "
                          "[B C J F]' with non-negative integers", column=1)
    if any(not _is_number(f) for f in nums):
        raise lines.error(f"header count too large for this reader (limit {_MAX_COUNT})",
                          column=1)
    counts = [int(x) for x in nums] + [0] * (9 - len(nums))
    m, i, l, o, a, b, c, j, f = counts
    if any(x > _MAX_COUNT for x in counts):
        raise lines.error(f"header count too large for this reader (limit {_MAX_COUNT})")
    if j or f:
        raise lines.error("justice (J) and fairness (F) properties are not supported; "
                          "refusing rather than dropping them", column=1)
    if binary and m != i + l + a:
        raise lines.error(f"binary AIGER header lies: M={m} but I+L+A={i + l + a}", column=1)
    if m < i + l + a:
        raise lines.error(f"header lies: M={m} is smaller than I+L+A={i + l + a}", column=1)
    # Every text line takes at least 2 bytes and every binary AND at least 2: a header that
    # promises more than the file can hold is refused before anything is allocated.
    need = 2 * ((0 if binary else i) + l + o + b + c) + 2 * a
    if need > len(data):
        raise lines.error(f"header promises {i} inputs, {l} latches, {o} outputs and {a} ANDs "
                          f"but the file has only {len(data)} bytes", column=1)
    max_lit = 2 * m + 1

    def check_lit(lit: int, what: str) -> int:
        if lit > max_lit:
            raise lines.error(f"{what} literal {lit} exceeds the maximum 2*M+1 = {max_lit}")
        return lit

    if binary:
        inputs = list(range(2, 2 * i + 2, 2))
    else:
        inputs = []
        for k in range(i):
            (lit,) = lines.ints(f"input {k} literal", 1, 1)
            if lit < 2 or lit & 1:
                raise lines.error(f"input literal {lit} must be even and positive")
            inputs.append(check_lit(lit, "input"))
    latch_lits, latch_next, latch_init = [], [], []
    for k in range(l):
        if binary:
            vals = lines.ints(f"latch {k}: 'next [init]'", 1, 2)
            lit = 2 * (i + 1 + k)
        else:
            vals = lines.ints(f"latch {k}: 'lit next [init]'", 2, 3)
            lit = vals.pop(0)
            if lit < 2 or lit & 1:
                raise lines.error(f"latch literal {lit} must be even and positive")
            check_lit(lit, "latch")
        latch_lits.append(lit)
        latch_next.append(check_lit(vals[0], "latch next-state"))
        init = vals[1] if len(vals) > 1 else 0
        if init not in (0, 1, lit):
            raise lines.error(f"latch reset value {init} must be 0, 1 or the latch's own "
                              f"literal {lit} (uninitialized)")
        latch_init.append(LATCH_INIT_X if init == lit and lit > 1 else init)
    outputs = [check_lit(lines.ints(f"output {k} literal", 1, 1)[0], "output") for k in range(o)]
    bad = [check_lit(lines.ints(f"bad-state property {k}", 1, 1)[0], "bad") for k in range(b)]
    constraints = [check_lit(lines.ints(f"constraint {k}", 1, 1)[0], "constraint")
                   for k in range(c)]

    if binary:
        from edapipe.aig.io.aiger_codec import DecodeError, decode_ands

        try:
            f0, f1, end = decode_ands(data, lines.pos, a, i + l + 1)
        except DecodeError as exc:
            raise InputError(f"binary AND gate {exc.gate} (of {a}) at byte {exc.offset}: "
                             f"{exc.why}", file=filename, line=lines.lineno + 1) from None
        lines.pos = int(end)
        aig_kw = dict(fanin0=f0, fanin1=f1, outputs=outputs, latch_next=latch_next,
                      bad=bad, constraints=constraints)
    else:
        aig_kw = _ascii_ands(lines, inputs, latch_lits, latch_next, outputs, bad, constraints, a,
                             max_lit)
    names, comments, model = _symbols(lines, i, l, o, b, c)
    try:
        return Aig(num_inputs=i, latch_init=latch_init, input_names=names["i"],
                   latch_names=names["l"], output_names=names["o"], comments=comments,
                   name=model, **aig_kw)
    except ValueError as exc:  # structure that the checks above cannot see (defensive)
        raise InputError(f"invalid AIG structure: {exc}", file=filename) from None


def _ascii_ands(lines, inputs, latch_lits, latch_next, outputs, bad, constraints, n_ands,
                max_lit) -> dict:
    from edapipe.aig.builder import CycleFound, from_raw

    first_and_line = lines.lineno + 1
    rows = _and_rows(lines, n_ands)
    bad_lhs = np.flatnonzero((rows[:, 0] < 2) | (rows[:, 0] & 1 == 1))
    if bad_lhs.size:
        k = int(bad_lhs[0])
        raise InputError(f"AND gate literal {int(rows[k, 0])} must be even and positive",
                         file=lines.filename, line=first_and_line + k)
    over = np.flatnonzero(rows.max(axis=1, initial=0) > max_lit)
    if over.size:
        k = int(over[0])
        raise InputError(f"AND gate literal {int(rows[k].max())} exceeds the maximum 2*M+1 = "
                         f"{max_lit}", file=lines.filename, line=first_and_line + k)
    n_in, n_lat = len(inputs), len(latch_lits)
    first = n_in + n_lat + 1
    in_order = (inputs == list(range(2, 2 * n_in + 2, 2))
                and latch_lits == list(range(2 * n_in + 2, 2 * first, 2))
                and np.array_equal(rows[:, 0], 2 * (first + np.arange(n_ands, dtype=np.int64))))
    if in_order and np.all(rows[:, 1:].max(axis=1) < rows[:, 0]):
        # Already in AIGER order (as aigtoaig writes it): keep the structure exactly.
        return dict(fanin0=np.maximum(rows[:, 1], rows[:, 2]),
                    fanin1=np.minimum(rows[:, 1], rows[:, 2]), outputs=outputs,
                    latch_next=latch_next, bad=bad, constraints=constraints)
    defined = np.concatenate([np.asarray(inputs, dtype=np.int64) >> 1,
                              np.asarray(latch_lits, dtype=np.int64) >> 1, rows[:, 0] >> 1])
    order = np.argsort(defined, kind="stable")
    sorted_vars = defined[order]
    dup = np.flatnonzero(sorted_vars[1:] == sorted_vars[:-1])
    if dup.size:
        var = int(sorted_vars[dup[0]])
        raise InputError(f"variable {var} is defined twice", file=lines.filename,
                         line=_def_line(int(order[dup[0] + 1]), n_in + n_lat, first_and_line))

    def to_raw(lits, where) -> np.ndarray:
        lits = np.asarray(lits, dtype=np.int64)
        var = lits >> 1
        if len(sorted_vars):
            pos = np.minimum(np.searchsorted(sorted_vars, var), len(sorted_vars) - 1)
            found = sorted_vars[pos] == var
        else:
            pos = np.zeros(len(var), dtype=np.int64)
            found = np.zeros(len(var), dtype=bool)
        ok = (var == 0) | found
        if not np.all(ok):
            bad_k = int(np.flatnonzero(~ok)[0])
            raise InputError(f"literal {int(lits[bad_k])} uses variable {int(var[bad_k])}, "
                             "which no input, latch or AND defines",
                             file=lines.filename, line=where(bad_k))
        raw_var = np.where(var == 0, 0, order[pos] + 1)
        return 2 * raw_var + (lits & 1)

    co_line = first_and_line - len(outputs) - len(bad) - len(constraints)
    raw_f0 = to_raw(rows[:, 1], lambda k: first_and_line + k)
    raw_f1 = to_raw(rows[:, 2], lambda k: first_and_line + k)
    raw_next = to_raw(latch_next, lambda k: first_and_line - len(outputs) - len(bad)
                      - len(constraints) - n_lat + k)
    raw_out = to_raw(outputs, lambda k: co_line + k)
    raw_bad = to_raw(bad, lambda k: co_line + len(outputs) + k)
    raw_con = to_raw(constraints, lambda k: co_line + len(outputs) + len(bad) + k)
    # Raw gate order is the file's AND order, so raw gate k is AND line k.
    # Inputs and latches keep their file order, which is what raw vars 1..I+L are.
    try:
        aig = from_raw(n_in, n_lat, raw_f0, raw_f1, raw_out, raw_next, bad=raw_bad,
                       constraints=raw_con)
    except CycleFound as cyc:
        raise InputError(f"combinational cycle through AND gate {int(rows[cyc.gate, 0])}",
                         file=lines.filename, line=first_and_line + cyc.gate) from None
    return dict(fanin0=aig.fanin0, fanin1=aig.fanin1, outputs=aig.outputs,
                latch_next=aig.latch_next, bad=aig.bad, constraints=aig.constraints)


def _and_rows(lines: _Lines, n_ands: int) -> np.ndarray:
    """The next n_ands lines as an (n_ands, 3) array of 'lhs rhs0 rhs1' integers."""
    if n_ands == 0:
        return np.zeros((0, 3), dtype=np.int64)
    chunk = lines.data[lines.pos:].split(b"\n", n_ands)
    fields = [ln.split() for ln in chunk[:n_ands]]
    for k, f in enumerate(fields):
        if len(f) != 3 or not all(_is_number(x) for x in f):
            lines.lineno += k + 1
            if len(f) == 3 and all(x.isdigit() for x in f):
                raise lines.error(f"AND gate {k}: a number of more than {_MAX_DIGITS} digits",
                                  column=1)
            if not chunk[k].strip() and k == len(chunk) - 1:
                raise lines.error(f"unexpected end of file: expected AND gate {k}")
            raise lines.error(f"expected AND gate {k}: 'lhs rhs0 rhs1', found "
                              f"{chunk[k][:60].decode('ascii', 'replace')!r}", column=1)
    if len(fields) < n_ands:
        lines.lineno += len(fields) + 1
        raise lines.error(f"unexpected end of file: expected AND gate {len(fields)}")
    rows = np.array([int(x) for f in fields for x in f], dtype=np.int64).reshape(n_ands, 3)
    lines.lineno += n_ands
    lines.pos = len(lines.data) if len(chunk) == n_ands else len(lines.data) - len(chunk[-1])
    return rows


def _def_line(def_index: int, n_ci: int, first_and_line: int) -> int:
    """Line of the definition number def_index: inputs and latches follow the header
    (ASCII files list both), ANDs start at first_and_line."""
    if def_index < n_ci:
        return 2 + def_index
    return first_and_line + def_index - n_ci


def _symbols(lines: _Lines, i, l, o, b, c):
    names = {"i": [None] * i, "l": [None] * l, "o": [None] * o, "b": [None] * b, "c": [None] * c}
    limits = {"i": i, "l": l, "o": o, "b": b, "c": c}
    comments: list[str] = []
    model = None
    data = lines.data
    while lines.pos < len(data):
        start = lines.pos
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        raw = data[start:end]
        lines.pos = end + 1
        lines.lineno += 1
        if raw.rstrip(b"\r") == b"c":
            text = data[lines.pos:].decode("utf-8", errors="replace")
            comments = text.splitlines()
            lines.pos = len(data)
            break
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            raise lines.error("symbol table line is not text (trailing garbage after the "
                              "AND section?)") from None
        kind = line[0]
        head, _, name = line.partition(" ")
        if kind not in names or not _is_number(head[1:]) or not name:
            if kind in names and head[1:].isdigit() and head[1:].isascii() and name:
                raise lines.error(f"symbol {excerpt(head, 30)!r}: index too large (there "
                                  f"are only {limits[kind]})", column=1)
            raise lines.error(f"bad symbol table entry {line[:60]!r}: expected "
                              "'i<k> name', 'l<k> name', 'o<k> name', 'b<k> name', 'c<k> name' "
                              "or a lone 'c' before comments", column=1)
        index = int(head[1:])
        if index >= limits[kind]:
            raise lines.error(f"symbol {excerpt(head, 30)!r} names object {index}, but there "
                              "are only "
                              f"{limits[kind]}", column=1)
        names[kind][index] = name
    for line in comments:
        if line.startswith("model "):
            model = line[len("model "):].strip() or None
    return names, tuple(comments), model


def bad_as_outputs(aig: Aig) -> Aig | None:
    """The design seen the way ABC reads AIGER back, for equivalence only: a file with no
    outputs but bad-state properties (ABC's `write_aiger` after `read_bench` of a design with
    unknown latch initial values puts its outputs there: `aig M I L 0 A B 0`) has the
    properties as its outputs. None when that does not apply. The design as read keeps
    them as bad states (model checking needs them so); only equivalence paths call this."""
    if aig.num_outputs or not aig.bad.size:
        return None
    return aig.replace(outputs=aig.bad, bad=np.zeros(0, dtype=np.int32), output_names=())


_KIND_PLURAL = {"input_names": "inputs", "latch_names": "latches", "output_names": "outputs"}


def equivalence_views(a: Aig, b: Aig, note=None, by_position: bool = False,
                      latches: bool = True) -> tuple[Aig, Aig]:
    """a and b for an equivalence check, read the way ABC's `cec` reads them:
    - a design with no outputs but bad states, beside one with outputs and no bad states, has
      its bad states taken as its outputs (bad_as_outputs);
    - inputs, latches or outputs that carry no names at all in one design (an AIGER file
      without a symbol table, as ABC writes them), beside named ones of the same count in the
      other, take the other's names by position (ABC's `cec` matches by position always).
    `note(text)` is told of each such reading. latches=False leaves latch names alone (sequential
    equivalence does not match latches)."""
    views = [a, b]
    for k, (this, other) in enumerate(((a, b), (b, a))):
        seen = bad_as_outputs(this)
        if seen is not None and other.num_outputs and not other.bad.size:
            views[k] = seen
            if note is not None:
                note(f"design {'AB'[k]} has no outputs but {this.bad.size} bad-state "
                     "properties: taking them as its outputs, as ABC reads such AIGER files")
    if not by_position:
        for k in (0, 1):
            this, other = views[k], views[1 - k]
            renamed = {}
            for attr in ("input_names", "latch_names", "output_names"):
                if attr == "latch_names" and not latches:
                    continue
                mine, theirs = getattr(this, attr), getattr(other, attr)
                if (mine and len(mine) == len(theirs) and all(n is None for n in mine)
                        and any(n is not None for n in theirs)):
                    renamed[attr] = theirs
            if renamed:
                views[k] = this.replace(**renamed)
                if note is not None:
                    kinds = ", ".join(_KIND_PLURAL[attr] for attr in renamed)
                    note(f"design {'AB'[k]} has no names for its {kinds}: matched to design "
                         f"{'BA'[k]}'s by position, as ABC's cec and dsec do")
    return views[0], views[1]


def dump_aiger(aig: Aig, binary: bool = True) -> bytes:
    """AIGER bytes of `aig`; comments kept, the model name stored as a 'model NAME' comment."""
    i, l, o, a = aig.num_inputs, aig.num_latches, aig.num_outputs, aig.num_ands
    m = aig.max_var
    b, c = len(aig.bad), len(aig.constraints)
    header = f"{'aig' if binary else 'aag'} {m} {i} {l} {o} {a}"
    if b or c:
        header += f" {b} {c}"
    parts = [header, "\n"]
    if not binary:
        parts.extend(f"{2 * (k + 1)}\n" for k in range(i))
    nxt, init = aig.latch_next.tolist(), aig.latch_init.tolist()
    for k in range(l):
        lit = 2 * (i + 1 + k)
        fields = [] if binary else [str(lit)]
        fields.append(str(nxt[k]))
        if init[k] == 1:
            fields.append("1")
        elif init[k] == LATCH_INIT_X:
            fields.append(str(lit))
        parts.append(" ".join(fields) + "\n")
    for arr in (aig.outputs, aig.bad, aig.constraints):
        parts.extend(f"{x}\n" for x in arr.tolist())
    out = bytearray("".join(parts).encode("ascii"))
    if binary:
        from edapipe.aig.io.aiger_codec import encode_ands

        out += encode_ands(aig.fanin0, aig.fanin1, aig.first_and_var)
    else:
        lhs = 2 * (aig.first_and_var + np.arange(a, dtype=np.int64))
        out += "".join(f"{x} {y} {z}\n" for x, y, z in
                       zip(lhs.tolist(), aig.fanin0.tolist(), aig.fanin1.tolist())).encode()
    sym = []
    for kind, names in (("i", aig.input_names), ("l", aig.latch_names), ("o", aig.output_names)):
        sym.extend(f"{kind}{k} {_clean(n)}\n" for k, n in enumerate(names) if n)
    comments = list(aig.comments)
    if aig.name and not any(x.startswith("model ") for x in comments):
        comments.insert(0, f"model {aig.name}")
    if comments:
        sym.append("c\n")
        sym.extend(f"{x}\n" for x in comments)
    out += "".join(sym).encode("utf-8")
    return bytes(out)


def _clean(name: str) -> str:
    # A symbol runs to the end of its line: a newline inside it would corrupt the file.
    return name.replace("\n", " ").replace("\r", " ")

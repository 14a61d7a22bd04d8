""".meas / .measure: measurements on the vectors of a finished tran, ac or dc analysis.

The rules are ngspice 39's (frontend/com_measure2.c, measure.c), checked against ngspice
itself in tests/analog/test_measure.py by feeding ngspice's own vectors to this module:

* crossings (TRIG/TARG, WHEN, FIND..WHEN) are counted sample by sample: the first sample
  only sets the previous value, the second decides on which side of VAL the signal starts,
  every later sample that reaches VAL from the other side (>= going up, <= going down) is
  one RISE/FALL/CROSS; the crossing time is interpolated linearly between the two samples.
  Without RISE/FALL/CROSS the first crossing counts; LAST keeps the last. TD and FROM skip
  the samples before them (tran, ac), TO ends the search (dc: samples outside [FROM, TO]
  are skipped).
* FIND .. AT interpolates linearly between the two samples around AT;
* MIN/MAX/AVG/PP take the samples in [FROM, TO] as they are (no interpolation at the
  window's ends; AVG is the trapezoidal mean over those samples);
* RMS and INTEG interpolate the window's ends and integrate with Simpson's 3/8 and 1/3 rules
  where consecutive steps are equal (to 100 ulps) and the trapezoidal rule elsewhere;
* PARAM='expr' is evaluated after the other measurements of the analysis, with the deck's
  parameters and the results measured so far;
* ac vectors: v(x) is the real part, vr/vi/vm/vdb/vp the real part, imaginary part,
  magnitude, dB and phase (radians, as ngspice 39 prints it).

A measurement that cannot be made (no crossing, a vector that does not exist, ngspice's
DERIV/ERR functions) fails as in ngspice: a located warning, the value is reported as
failed and the run goes on. A card that cannot be read is a located error.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field

import numpy as np

from edapipe.analog.expr import ExprError, eval_text, evaluate, parse_expr, parse_number
from edapipe.analog.parser import Card
from edapipe.errors import excerpt

_FUNCS = ("trig", "delay", "targ", "find", "when", "avg", "min", "max", "min_at", "max_at",
          "rms", "pp", "integ", "integral", "deriv", "derivative", "err", "err1", "err2",
          "err3", "param", "expr")
_KEYS = ("val", "td", "rise", "fall", "cross", "from", "to", "at")
_HEADERS = {"tran": "Transient Analysis", "ac": "AC Analysis", "dc": "DC Analysis"}
LAST = -2          # RISE/FALL/CROSS=LAST
DEFAULT = -1       # not given


class MeasureFailed(Exception):
    """A measurement that cannot be made on these vectors (ngspice: 'failed')."""


@dataclass
class Clause:
    """One condition: a vector (or AT=) and the standard parameters."""

    vec: str | None = None
    vec2: str | None = None        # WHEN a=b: the second vector
    val: float = 1e99
    td: float = 0.0
    rise: int = DEFAULT
    fall: int = DEFAULT
    cross: int = DEFAULT
    frm: float | None = None
    to: float | None = None
    at: float | None = None


@dataclass
class Measure:
    card: Card
    analysis: str                  # tran, ac, dc
    name: str
    func: str                      # trig, find, when, avg, min, max, min_at, max_at, pp,
                                   # rms, integ, param, unsupported
    main: Clause = field(default_factory=Clause)
    other: Clause | None = None    # TARG of TRIG, WHEN of FIND
    expr: str = ""                 # PARAM
    reason: str = ""               # unsupported: why


@dataclass
class Outcome:
    """One measurement's result: `value` None when it failed (`error` says why); `line` as
    ngspice prints it."""

    name: str
    analysis: str
    value: float | None
    line: str
    extra: dict = field(default_factory=dict)
    error: str = ""
    card: Card | None = None


# --- reading the cards --------------------------------------------------------------------

def _tokens(card: Card, text: str) -> list[str]:
    """Words of a .meas card: blanks and top-level commas separate, `=` is its own token,
    quotes, braces and parentheses keep their content whole (v(a,b), par('x*y'))."""
    toks: list[str] = []
    cur: list[str] = []
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
            cur.append(ch)
        elif ch in "({":
            depth += 1
            cur.append(ch)
        elif ch in ")}":
            depth -= 1
            if depth < 0:
                raise card.error(f"unbalanced ')' in '{card.quote(text.strip())}'")
            cur.append(ch)
        elif depth:
            cur.append(ch)
        elif ch in " \t,":
            if cur:
                toks.append("".join(cur))
                cur = []
        elif ch == "=":
            if cur:
                toks.append("".join(cur))
                cur = []
            toks.append("=")
        else:
            cur.append(ch)
    if quote or depth:
        raise card.error(f"unclosed quote or parenthesis in '{card.quote(text.strip())}'")
    if cur:
        toks.append("".join(cur))
    return toks


def _number(card: Card, tok: str, what: str, params: dict, funcs: dict) -> float:
    text = tok[1:-1] if tok[:1] in "{'\"" and tok[-1:] in "}'\"" else tok
    val = parse_number(text)
    if val is None:
        try:
            val = eval_text(text, params, funcs)
        except ExprError as exc:
            raise card.error(f".meas {what}: {exc}") from None
    if not math.isfinite(val):
        raise card.error(f".meas {what}: {excerpt(tok, 40)!r} is not a finite number")
    return float(val)


def _clause(card, toks, i, stop, params, funcs, name, vector=True) -> Clause:
    """The clause in toks[i:stop]: [vector] key=value ..."""
    cl = Clause()
    if vector and i < stop and toks[i].lower() != "at" and (i + 1 >= stop or toks[i + 1] != "="):
        cl.vec = toks[i]
        i += 1
    while i < stop:
        key = toks[i].lower()
        if key == "last":               # ngspice: a bare LAST is CROSS=LAST
            cl.cross, cl.rise, cl.fall = LAST, DEFAULT, DEFAULT
            i += 1
            continue
        if i + 2 >= stop or toks[i + 1] != "=":
            raise card.error(f".meas {name}: expected 'name=value' at '{card.quote(toks[i])}'")
        raw = toks[i + 2]
        i += 3
        if key not in _KEYS:
            raise card.error(f".meas {name}: unknown parameter '{card.quote(key)}' (VAL, TD, "
                             f"RISE, FALL, CROSS, FROM, TO, AT)")
        if key in ("rise", "fall", "cross"):
            num = LAST if raw.lower() == "last" else int(math.floor(
                _number(card, raw, f"{name} {key}", params, funcs) + 0.5))
            cl.rise, cl.fall, cl.cross = DEFAULT, DEFAULT, DEFAULT
            setattr(cl, key, num)
            continue
        val = _number(card, raw, f"{name} {key}", params, funcs)
        setattr(cl, {"from": "frm"}.get(key, key), val)
    return cl


def parse_measure(card: Card, params: dict, funcs: dict) -> Measure:
    """One .meas card; a card that cannot be read is an InputError at the card."""
    body = card.text.split(None, 1)
    toks = _tokens(card, body[1] if len(body) > 1 else "")
    if len(toks) < 3:
        raise card.error(".meas needs an analysis (tran, ac, dc), a name and a function")
    analysis, name, func = toks[0].lower(), toks[1].lower(), toks[2].lower()
    m = Measure(card, analysis, name, func)
    if func not in _FUNCS:
        raise card.error(f".meas {name}: unknown function '{card.quote(toks[2])}' (TRIG/TARG, "
                         f"FIND, WHEN, AVG, MIN, MAX, MIN_AT, MAX_AT, PP, RMS, INTEG, PARAM)")
    rest = toks[3:]
    if func in ("param", "expr"):
        if rest[:1] == ["="]:
            rest = rest[1:]
        if not rest:
            raise card.error(f".meas {name}: PARAM needs an expression")
        m.func = "param"
        m.expr = " ".join(rest)
        return m
    if func in ("deriv", "derivative", "err", "err1", "err2", "err3"):
        m.func = "unsupported"
        m.reason = f"function {func.upper()} is not computed (ngspice 39 does not either)"
        return m
    if func in ("trig", "delay", "targ"):
        m.func = "trig"
        low = [t.lower() for t in rest]
        if "targ" not in low:
            raise card.error(f".meas {name}: TRIG needs a TARG clause")
        k = low.index("targ")
        m.main = _clause(card, rest, 0, k, params, funcs, name)
        m.other = _clause(card, rest, k + 1, len(rest), params, funcs, name)
        for cl, what in ((m.main, "TRIG"), (m.other, "TARG")):
            if cl.at is None and DEFAULT == cl.rise == cl.fall == cl.cross:
                raise card.error(f".meas {name}: {what} needs AT, RISE, FALL or CROSS")
            if cl.at is None and cl.vec is None:
                raise card.error(f".meas {name}: {what} names no vector")
        if m.other.vec is None:
            raise card.error(f".meas {name}: TARG needs a vector (TARG AT= is not measured "
                             f"by ngspice either)")
        return m
    if func == "find":
        low = [t.lower() for t in rest]
        if not rest:
            raise card.error(f".meas {name}: FIND needs a vector")
        m.main = Clause(vec=rest[0])
        if "when" in low:
            k = low.index("when")
            if k != 1:
                raise card.error(f".meas {name}: expected WHEN after the FIND vector")
            m.other = _when(card, rest[k + 1:], params, funcs, name)
        else:
            m.main = _clause(card, rest, 0, len(rest), params, funcs, name)
            if m.main.at is None:
                raise card.error(f".meas {name}: FIND needs AT= or WHEN")
        return m
    if func == "when":
        m.main = _when(card, rest, params, funcs, name)
        return m
    m.func = {"integral": "integ"}.get(func, func)
    m.main = _clause(card, rest, 0, len(rest), params, funcs, name)
    if m.main.vec is None:
        raise card.error(f".meas {name}: {func.upper()} needs a vector")
    return m


def _when(card, toks, params, funcs, name) -> Clause:
    """WHEN vec=val|vec2 [key=value ...]."""
    if len(toks) < 3 or toks[1] != "=":
        raise card.error(f".meas {name}: WHEN needs 'vector=value'")
    cl = _clause(card, toks, 3, len(toks), params, funcs, name, vector=False)
    cl.vec = toks[0]
    rhs = toks[2]
    if _is_vector(rhs):
        cl.vec2 = rhs
    else:
        cl.val = _number(card, rhs, f"{name} WHEN", params, funcs)
    return cl


_VEC_RE = re.compile(r"([vi])(m|db|p|r|i|)\(\s*([^,()\s]+)\s*(?:,\s*([^,()\s]+)\s*)?\)$", re.I)


def _is_vector(tok: str) -> bool:
    return bool(_VEC_RE.match(tok)) or tok.lower().startswith("par(")


# --- vectors --------------------------------------------------------------------------------

class _Vectors:
    """The vectors of one Result by the names a .meas card uses."""

    def __init__(self, res, params: dict, funcs: dict):
        self.res = res
        self.index = {n: j for j, n in enumerate(res.names)}
        self.params, self.funcs = params, funcs
        self.cache: dict[str, np.ndarray] = {}

    def raw(self, kind: str, a: str, b: str | None) -> np.ndarray:
        """v(a), v(a,b) or i(a), complex for ac."""
        def one(name):
            if kind == "v" and name in ("0", "gnd"):
                return np.zeros(len(self.res.scale), dtype=self.res.data.dtype)
            j = self.index.get(f"{kind}({name})")
            if j is None and kind == "i":
                m = re.fullmatch(r"[a-z]\.(.+)", name)         # ngspice's v.x1.v1
                j = self.index.get(f"i({m.group(1)})") if m else None
            if j is None:
                raise MeasureFailed(f"no such vector as '{kind}({name})'")
            return self.res.data[:, j]
        val = one(a.lower())
        if b is not None:
            val = val - one(b.lower())
        return val

    def get(self, text: str) -> np.ndarray:
        """The real samples a measurement reads from vector `text`."""
        hit = self.cache.get(text)
        if hit is not None:
            return hit
        if text.lower().startswith("par("):
            out = self._par(text)
        else:
            m = _VEC_RE.match(text)
            if m is None:
                if re.fullmatch(r"[^\s()=,'\"{}]+", text):
                    m = _VEC_RE.match(f"v({text})")             # a bare node name
                if m is None:
                    raise MeasureFailed(f"cannot read vector '{text}'")
            kind, typ = m.group(1).lower(), m.group(2).lower()
            if typ and self.res.kind != "ac":
                typ = ""        # ngspice applies vm/vdb/vp only to ac vectors
            z = self.raw(kind, m.group(3), m.group(4))
            out = _part(z, typ)
        self.cache[text] = out
        return out

    def _par(self, text: str) -> np.ndarray:
        inner = text[4:-1].strip()
        if inner[:1] in "'\"{" and inner[-1:] in "'\"}":
            inner = inner[1:-1]
        cols: list[np.ndarray] = []

        def repl(mm):
            z = self.raw(mm.group(1).lower(), mm.group(3), mm.group(4))
            cols.append(_part(z, mm.group(2).lower() if self.res.kind == "ac" else ""))
            return f" __m{len(cols) - 1} "

        expr = re.sub(r"\b([vi])(m|db|p|r|i|)\(\s*([^,()\s]+)\s*(?:,\s*([^,()\s]+)\s*)?\)",
                      repl, inner, flags=re.I)
        try:
            tree = parse_expr(expr)
        except ExprError as exc:
            raise MeasureFailed(f"par(): {exc}") from None
        n = len(self.res.scale)
        out = np.empty(n)
        env: dict[str, float] = {}
        scale_name = {"tran": "time", "ac": "frequency"}.get(self.res.kind)
        try:
            for k in range(n):
                for c, col in enumerate(cols):
                    env[f"__m{c}"] = float(col[k])
                if scale_name:
                    env[scale_name] = float(self.res.scale[k].real)
                out[k] = evaluate(tree, env, self.funcs, outer=self.params)
        except ExprError as exc:
            raise MeasureFailed(f"par(): {exc}") from None
        return out

    @property
    def scale(self) -> np.ndarray:
        return np.asarray(self.res.scale.real, dtype=float)


def _part(z: np.ndarray, typ: str) -> np.ndarray:
    if not np.iscomplexobj(z):
        return np.asarray(z, dtype=float)
    if typ == "m":
        return np.abs(z)
    if typ == "i":
        return z.imag.copy()
    if typ == "p":
        return np.arctan2(z.imag, z.real)
    if typ == "db":
        with np.errstate(divide="ignore"):
            return 20.0 * np.log10(np.abs(z))
    return z.real.copy()


# --- the measurements -----------------------------------------------------------------------

def _when_time(x: np.ndarray, y: np.ndarray, cl: Clause, analysis: str,
               y2: np.ndarray | None = None) -> float:
    """The scale value where the clause's crossing happens (ngspice's com_measure_when);
    NaN when it does not."""
    rise = fall = cross = 0
    section = 0                       # 1 above, -1 below
    first = 0
    pending = False
    found = math.nan
    td = cl.td
    prev = prev2 = px = 0.0
    val = cl.val
    lo, hi = _window(cl, analysis)
    last = LAST in (cl.rise, cl.fall, cl.cross)
    plain = DEFAULT == cl.rise == cl.fall == cl.cross
    n = len(x)
    for i in range(n):
        v, s = float(y[i]), float(x[i])
        v2 = float(y2[i]) if y2 is not None else val
        if analysis == "dc" and i == 0:
            td = s
        if analysis == "tran" and s < td:
            continue
        if analysis == "ac" and s < 0:
            continue
        if analysis == "dc":
            if s < lo or s > hi:
                continue
        elif s < lo:
            continue
        elif hi != 0.0 and s > hi:
            break
        if first > 1 and analysis == "dc" and s == td:
            first = 1
        if first == 1:
            cross = 0
            if v < v2:
                section = -1
                if prev <= v2 <= v:
                    fall = cross = 1
            else:
                section = 1
                if prev <= v2 <= v:
                    rise = cross = 1
        elif first > 1:
            if section == -1 and v >= v2:
                section = 1
                cross += 1
                rise += 1
                pending = cl.fall != LAST
            elif section == 1 and v <= v2:
                section = -1
                cross += 1
                fall += 1
                pending = cl.rise != LAST
            if cross == cl.cross or rise == cl.rise or fall == cl.fall:
                return _cross_at(px, s, prev, v, prev2, v2, y2 is not None)
            if pending:
                if plain:
                    return _cross_at(px, s, prev, v, prev2, v2, y2 is not None)
                if last:
                    found = _cross_at(px, s, prev, v, prev2, v2, y2 is not None)
                pending = False
        first += 1
        prev, px = v, s
        if y2 is not None:
            prev2 = v2
    return found


def _cross_at(px, s, prev, v, prev2, v2, two) -> float:
    if two:
        return px + (prev2 - prev) * (s - px) / (v - prev - v2 + prev2)
    return px + (v2 - prev) * (s - px) / (v - prev)


def _at(x: np.ndarray, y: np.ndarray, at: float, analysis: str) -> float:
    """Linear interpolation at `at` between the first two samples around it (ngspice's
    measure_at); NaN outside the data."""
    for i in range(1, len(x)):
        a, b = x[i - 1], x[i]
        if (a <= at <= b) or (analysis == "dc" and a >= at >= b):
            return float(y[i - 1] + (at - a) * (y[i] - y[i - 1]) / (b - a))
    return math.nan


def _window(cl: Clause, analysis: str) -> tuple[float, float]:
    if analysis == "dc":
        lo = -1e99 if cl.frm is None else cl.frm
        hi = 1e99 if cl.to is None else cl.to
        return (lo, hi) if lo <= hi else (hi, lo)
    return (0.0 if cl.frm is None else cl.frm, 0.0 if cl.to is None else cl.to)


def _min_max_avg(x, y, cl: Clause, analysis: str, func: str):
    """(value, the scale value it belongs to) as ngspice's measure_minMaxAvg: the samples in
    the window as they are."""
    lo, hi = _window(cl, analysis)
    first = False
    m = at = tsum = pv = sp = 0.0
    s = 0.0
    for i in range(len(x)):
        v, s = float(y[i]), float(x[i])
        if analysis == "dc":
            if s < lo or s > hi:
                continue
        else:
            if s < lo:
                continue
            if hi != 0.0 and s > hi:
                break
        if not first:
            first = True
            if func == "avg":
                m, at, tsum, pv, sp = 0.0, s, 0.0, v, s
            else:
                m, at = v, s
            continue
        if func == "min":
            if v <= m:
                m, at = v, s
        elif func == "max":
            if v >= m:
                m, at = v, s
        else:
            m += 0.5 * (v + pv) * (s - sp)
            tsum += s - sp
            pv, sp = v, s
    if not first:
        return math.nan, math.nan
    if func == "avg":
        return m / tsum if tsum else math.nan, s
    return m, at


def _ulps_key(a: float) -> int:
    i = struct.unpack("<q", struct.pack("<d", a))[0]
    return -(1 << 63) - i if i < 0 else i


def _close(a: float, b: float) -> bool:
    """ngspice's AlmostEqualUlps(a, b, 100)."""
    return a == b or abs(_ulps_key(a) - _ulps_key(b)) <= 100


def _rms_integ(x, y, cl: Clause, analysis: str, rms: bool):
    """(value, from, to) as ngspice's measure_rms_integral."""
    lo, hi = _window(cl, analysis)
    xs: list[float] = []
    ys: list[float] = []
    start = math.nan
    to_val = -1.0
    for i in range(len(x)):
        v, s = float(y[i]), float(x[i])
        if s < lo:
            continue
        if hi != 0.0 and s > hi:
            if not _close(s, hi):
                v = float(y[i - 1] + (hi - x[i - 1]) * (y[i] - y[i - 1]) / (x[i] - x[i - 1]))
                s = hi
            xs.append(s)
            ys.append(v * v if rms else v)
            to_val = s
            break
        if not xs:
            if lo != 0.0 and i > 0 and not _close(s, lo):
                v = float(y[i - 1] + (lo - x[i - 1]) * (y[i] - y[i - 1]) / (x[i] - x[i - 1]))
                s = lo
            start = s
        xs.append(s)
        ys.append(v * v if rms else v)
    n = len(xs)
    width = [xs[k + 1] - xs[k] for k in range(n - 1)] + [0.0, 0.0, 0.0]
    ys += [0.0, 0.0, 0.0]
    total = 0.0
    k = 0
    while k < n - 1:
        if _close(width[k], width[k + 1]) and _close(width[k], width[k + 2]):
            total += 3 * width[k] * (ys[k] + 3 * (ys[k + 1] + ys[k + 2]) + ys[k + 3]) / 8.0
            k += 3
        elif _close(width[k], width[k + 1]):
            total += width[k] * (ys[k] + 4 * ys[k + 1] + ys[k + 2]) / 3.0
            k += 2
        else:
            total += width[k] * (ys[k] + ys[k + 1]) / 2
            k += 1
    if to_val < 0.0:
        to_val = float(x[-1]) if len(x) else math.nan
    if n == 0:
        return math.nan, math.nan, to_val
    if rms:
        span = to_val - start
        return (math.sqrt(total / span) if span > 0 and total >= 0 else math.nan), start, to_val
    return total, start, to_val


def _e(x: float) -> str:
    """C's %e."""
    return f"{x:e}"


def _e5(x: float) -> str:
    """C's %.5e (ngspice's measurement precision)."""
    return f"{x:.5e}"


def measure_one(m: Measure, vecs: _Vectors) -> Outcome:
    """Measure `m` on one analysis' vectors; MeasureFailed when it cannot be made."""
    a = m.analysis
    x = vecs.scale
    name = m.name
    if m.func == "unsupported":
        raise MeasureFailed(m.reason)
    if m.func == "trig":
        trig, targ = m.main, m.other
        if trig.at is not None:
            t1 = trig.at
        else:
            t1 = _when_time(x, vecs.get(trig.vec), trig, a,
                            vecs.get(trig.vec2) if trig.vec2 else None)
        if math.isnan(t1):
            raise MeasureFailed("TRIG: out of interval")
        t2 = _when_time(x, vecs.get(targ.vec), targ, a,
                        vecs.get(targ.vec2) if targ.vec2 else None)
        if math.isnan(t2):
            raise MeasureFailed("TARG: out of interval")
        val = t2 - t1
        return Outcome(name, a, val, f"{name:<20}=  {_e(val)} targ=  {_e(t2)} trig=  {_e(t1)}",
                       {"targ": t2, "trig": t1})
    if m.func == "find":
        if m.other is not None:
            w = m.other
            at = _when_time(x, vecs.get(w.vec), w, a, vecs.get(w.vec2) if w.vec2 else None)
            if math.isnan(at):
                raise MeasureFailed("WHEN: out of interval")
        else:
            at = m.main.at
        val = _at(x, vecs.get(m.main.vec), at, a)
        if math.isnan(val):
            raise MeasureFailed("AT: out of interval")
        return Outcome(name, a, val, f"{name:<20}=  {_e(val)}", {"at": at})
    if m.func == "when":
        w = m.main
        val = _when_time(x, vecs.get(w.vec), w, a, vecs.get(w.vec2) if w.vec2 else None)
        if math.isnan(val):
            raise MeasureFailed("WHEN: out of interval")
        return Outcome(name, a, val, f"{name:<20}=   {_e5(val)}")
    y = vecs.get(m.main.vec)
    if m.func in ("rms", "integ"):
        val, lo, hi = _rms_integ(x, y, m.main, a, m.func == "rms")
        if math.isnan(val):
            raise MeasureFailed("out of interval")
        return Outcome(name, a, val, f"{name:<20}=   {_e5(val)} from=  {_e5(lo)} to=  {_e5(hi)}",
                       {"from": lo, "to": hi})
    if m.func == "avg":
        val, end = _min_max_avg(x, y, m.main, a, "avg")
        if math.isnan(val):
            raise MeasureFailed("out of interval")
        start = _window(m.main, a)[0] if m.main.at is None else m.main.at
        return Outcome(name, a, val, f"{name:<20}=  {_e(val)} from=  {_e(start)} to=  {_e(end)}",
                       {"from": start, "to": end})
    if m.func == "pp":
        lo_v, _ = _min_max_avg(x, y, m.main, a, "min")
        hi_v, _ = _min_max_avg(x, y, m.main, a, "max")
        if math.isnan(lo_v) or math.isnan(hi_v):
            raise MeasureFailed("out of interval")
        val = hi_v - lo_v
        frm, to = _window(m.main, a)
        return Outcome(name, a, val, f"{name:<20}=  {_e(val)} from=  {_e(frm)} to=  {_e(to)}",
                       {"from": frm, "to": to})
    base = "min" if m.func in ("min", "min_at") else "max"
    val, at = _min_max_avg(x, y, m.main, a, base)
    if math.isnan(val):
        raise MeasureFailed("out of interval")
    if m.func in ("min", "max"):
        return Outcome(name, a, val, f"{name:<20}=  {_e(val)} at=  {_e(at)}", {"at": at})
    return Outcome(name, a, at, f"{name:<20}=  {_e(at)} with=  {_e(val)}", {"with": val})


def run_measures(measures: list[Measure], res, params: dict, funcs: dict,
                 results: dict) -> tuple[list[Outcome], list[str]]:
    """The measurements of `res`'s analysis kind, in card order (PARAMs after the others, as
    ngspice does); `results` (name -> value) collects the measured values for later PARAMs.
    Returns (outcomes in card order, warnings)."""
    mine = [m for m in measures if m.analysis == res.kind and res.kind in _HEADERS]
    if not mine:
        return [], []
    vecs = _Vectors(res, params, funcs)
    done: dict[int, Outcome] = {}
    warnings: list[str] = []
    for k, m in enumerate(mine):
        if m.func == "param":
            continue
        try:
            done[k] = measure_one(m, vecs)
            results[m.name] = done[k].value
        except MeasureFailed as exc:
            done[k] = _failed(m, str(exc), warnings)
    for k, m in enumerate(mine):
        if m.func != "param":
            continue
        text = m.expr[1:-1] if m.expr[:1] in "'{\"" and m.expr[-1:] in "'}\"" else m.expr
        env = dict(params)
        env.update(results)
        try:
            val = float(eval_text(text, env, funcs))
        except ExprError as exc:
            done[k] = _failed(m, f"PARAM: {exc}", warnings)
            continue
        results[m.name] = val
        done[k] = Outcome(m.name, m.analysis, val, f"{m.name:<20}=  {_e5(val)}", card=m.card)
    return [done[k] for k in range(len(mine))], warnings


def _failed(m: Measure, why: str, warnings: list[str]) -> Outcome:
    warnings.append(m.card.warning(f".meas {m.analysis} {m.name}: {why}: measurement failed "
                                   f"(as in ngspice, the run goes on)"))
    # ngspice prints nothing for a failed measurement, `name=   failed` for a PARAM
    line = f"{m.name:<20}=   failed" if m.func == "param" else ""
    return Outcome(m.name, m.analysis, None, line, error=why, card=m.card)


def report(kind: str, outcomes: list[Outcome]) -> str:
    """The block ngspice prints after an analysis."""
    head = f"\n  Measurements for {_HEADERS.get(kind, kind)}\n\n"
    return head + "".join(o.line + "\n" for o in outcomes if o.line) + "\n"

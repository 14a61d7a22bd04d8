"""What every analysis returns (analyses.py, transient.py) and output.py writes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from edapipe.analog import limits
from edapipe.errors import InputError, excerpt


class Singular(Exception):
    """The MNA matrix could not be factored (exactly singular or not finite)."""


@dataclass
class Result:
    """One analysis: a sweep variable and one column per unknown."""

    kind: str                    # op, dc, ac, tran
    scale_name: str              # "", "v-sweep", "frequency", "time"
    scale: np.ndarray
    names: list[str]
    data: np.ndarray             # (points, unknowns), complex for ac
    title: str = ""
    extra: dict = field(default_factory=dict)


def ac_frequencies(kind: str, n: int, fstart: float, fstop: float, width: int = 1,
                   where: str = "", land: bool = False, reltol: float = 1e-3) -> np.ndarray:
    """The frequencies of an .ac sweep, counted (and checked against the point budget, for
    `width` stored numbers per point) before any is computed. `land`: ngspice 39's .ac
    (acan.c) spreads a DEC sweep so that it ends on FSTOP: floor(N decades) steps of
    (FSTOP/FSTART)^(1/steps), multiplied up while f <= FSTOP + ratio FSTOP RELTOL
    (`.ac dec 20 1meg 5g`: 74 points, the last 5 GHz; `dec 10 1k 2k`: 1k, 1.26k, 1.59k,
    2k); .noise keeps the plain N-per-decade grid, as ngspice's noisean.c."""
    kind = kind.lower()
    if not (math.isfinite(n) and math.isfinite(fstart) and math.isfinite(fstop)):
        raise InputError(".ac: the number of points and the frequencies must be finite")
    if n < 1:
        raise InputError(f".ac: {n:g} points: needs at least 1")
    if (fstart <= 0 or fstop <= 0) and kind != "lin":
        raise InputError(".ac: start and stop frequencies must be positive")
    if kind == "lin":
        limits.check_points(float(n), width, ".ac sweep", where)
        return np.linspace(fstart, fstop, max(int(n), 1)) if n > 1 else np.array([fstart])
    per = {"dec": 10.0, "oct": 2.0}.get(kind)
    if per is None:
        raise InputError(f".ac: unknown sweep type '{excerpt(kind, 20)}' (dec, oct or lin)")
    # ngspice: points at fstart * ratio^k while f <= fstop*(1+small)
    estimate = math.log(fstop / fstart) / math.log(per) * n + 1.0
    limits.check_points(estimate, width, ".ac sweep", where)
    steps = math.floor(abs(math.log10(fstop / fstart)) * n) if land and kind == "dec" else 0
    if steps >= 1:
        # (with no whole step, ngspice 39 loops for ever: `.ac dec 3 1k 2k`; we keep the
        # plain grid's single point)
        ratio = math.exp(math.log(fstop / fstart) / steps)
        top = fstop + ratio * fstop * reltol
        out, f = [], fstart
        while f <= top:
            out.append(f)
            f *= ratio
        return np.array(out)
    ratio = per ** (1.0 / n)
    count = int(math.floor(math.log(fstop / fstart) / math.log(ratio) + 1e-6)) + 1
    return fstart * ratio ** np.arange(count)

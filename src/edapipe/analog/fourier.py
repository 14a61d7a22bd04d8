""".four: the Fourier components of transient waveforms, as ngspice 39 computes them
(frontend/fourier.c): the last period of the fundamental (from TSTOP - 1/f to TSTOP) is
sampled on a uniform grid of FOURGRIDSIZE points (default 200) by linear interpolation
(POLYDEGREE 1), and the first NFREQS harmonics (default 10, the DC term included) are
found by a discrete Fourier sum; THD is the root sum of squares of harmonics 2..NFREQS-1
relative to the fundamental, in percent. NFREQS and FOURGRIDSIZE can be set with
`.options nfreqs=N fourgridsize=N`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edapipe.analog.parser import Card, split_tokens
from edapipe.errors import ResourceLimit

MAX_WORK = 5e7          # harmonics x grid points of one .four table


@dataclass
class FourRequest:
    card: Card
    freq: float
    vectors: list[str]
    nfreqs: int = 10
    gridsize: int = 200


@dataclass
class FourierTable:
    vector: str
    fund: float
    freq: np.ndarray
    mag: np.ndarray
    phase: np.ndarray            # degrees
    norm_mag: np.ndarray
    norm_phase: np.ndarray       # degrees
    thd: float                   # percent
    gridsize: int
    card: Card | None = None

    def text(self) -> str:
        """The table ngspice prints."""
        fw = 11
        lines = [f"Fourier analysis for {self.vector}:",
                 f"  No. Harmonics: {len(self.freq)}, THD: {_g(self.thd)} %, Gridsize: "
                 f"{self.gridsize}, Interpolation Degree: 1", "",
                 f"Harmonic {'Frequency':<{fw}} {'Magnitude':<{fw}} {'Phase':<{fw}} "
                 f"{'Norm. Mag':<{fw}} {'Norm. Phase':<{fw}}",
                 f"-------- {'---------':<{fw}} {'---------':<{fw}} {'-----':<{fw}} "
                 f"{'---------':<{fw}} {'-----------':<{fw}}"]
        for i in range(len(self.freq)):
            cols = [_pn(v[i]) for v in (self.freq, self.mag, self.phase, self.norm_mag,
                                         self.norm_phase)]
            lines.append(f" {i:<4d}    " + " ".join(f"{c:<{fw}}" for c in cols))
        return "\n".join(lines) + "\n\n"

    def as_json(self) -> dict:
        return {"vector": self.vector, "fundamental": self.fund, "thd_percent": self.thd,
                "gridsize": self.gridsize,
                "harmonics": [{"frequency": float(f), "magnitude": float(m),
                               "phase_deg": float(p), "norm_magnitude": float(nm),
                               "norm_phase_deg": float(npd)}
                              for f, m, p, nm, npd in zip(self.freq, self.mag, self.phase,
                                                          self.norm_mag, self.norm_phase)]}


def _g(x: float, digits: int = 6) -> str:
    """C's %.*g."""
    return f"{x:.{digits}g}"


def _pn(x: float) -> str:
    """ngspice's pn(): %.6g, one digit less for negative numbers."""
    return _g(float(x), 5 if x < 0 else 6)


def parse_fours(deck, params: dict, funcs: dict) -> list[FourRequest]:
    """The deck's .four cards: `.four freq vector ...`."""
    from edapipe.analog.circuit import _value, parse_options

    opts = parse_options(deck.options, params, funcs)
    out = []
    for card in deck.fours:
        toks = split_tokens(card.text, keep_parens=True)
        if len(toks) < 3:
            raise card.error(".four needs a fundamental frequency and at least one vector")
        freq = _value(toks[1], params, funcs, card, ".four frequency")
        if not (freq > 0 and math.isfinite(freq)):
            raise card.error(f".four: the fundamental frequency must be positive, not {freq:g}")
        nfreqs = opts.get("nfreqs", 10)
        grid = opts.get("fourgridsize", 200)
        if isinstance(nfreqs, str) or isinstance(grid, str) or not (
                1 <= nfreqs < 1e9 and 1 <= grid < 1e9):
            raise card.error(".options nfreqs and fourgridsize must be positive numbers")
        if nfreqs * grid > MAX_WORK:
            raise ResourceLimit(card.warning(
                f".four: nfreqs x fourgridsize = {nfreqs * grid:.3g} is over the limit of "
                f"{MAX_WORK:.0e} (a Fourier sum that size takes minutes)"))
        if "polydegree" in opts and opts["polydegree"] != 1:
            raise card.error(".four: only POLYDEGREE 1 (linear interpolation, the default) "
                             "is supported")
        out.append(FourRequest(card, freq, toks[2:], int(nfreqs), int(grid)))
    return out


def fourier(t: np.ndarray, y: np.ndarray, fund: float, nfreqs: int = 10,
            gridsize: int = 200):
    """(freq, mag, phase, norm_mag, norm_phase, thd) of the waveform's last period."""
    t0, t1 = float(t.min()), float(t.max())
    period = 1.0 / fund
    if t1 - t0 < period:
        raise ValueError("the transient is shorter than one period of the fundamental")
    if t1 - t0 > period:
        t0 = t1 - period
    step = (t1 - t0) / gridsize
    grid = t0 + np.arange(gridsize) * step
    vals = np.interp(grid, t, y)
    k = np.arange(gridsize)
    j = np.arange(nfreqs)
    s = np.empty(nfreqs)
    c = np.empty(nfreqs)
    for h in range(nfreqs):        # one harmonic at a time: memory of one grid
        ang = (2.0 * math.pi * h / gridsize) * k
        s[h] = float(vals @ np.sin(ang))
        c[h] = float(vals @ np.cos(ang))
    freq = j * fund
    mag = np.empty(nfreqs)
    phase = np.zeros(nfreqs)
    mag[0] = c[0] / gridsize
    a = s[1:] * 2.0 / gridsize
    b = c[1:] * 2.0 / gridsize
    mag[1:] = np.sqrt(a * a + b * b)
    phase[1:] = np.degrees(np.arctan2(b, a))
    freq[0] = 0.0
    norm_mag = np.zeros(nfreqs)
    norm_phase = np.zeros(nfreqs)
    if nfreqs > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            norm_mag[1:] = mag[1:] / mag[1]
        norm_phase[1:] = phase[1:] - phase[1]
    thd = 100.0 * math.sqrt(float(np.sum(norm_mag[2:] ** 2)))
    return freq, mag, phase, norm_mag, norm_phase, thd


def fourier_tables(fours: list[FourRequest], res) -> list[FourierTable]:
    """The tables of the .four requests on a transient result."""
    from edapipe.analog.measure import MeasureFailed, _Vectors

    if not fours:
        return []
    vecs = _Vectors(res, {}, {})
    t = np.asarray(res.scale, dtype=float)
    out = []
    for req in fours:
        for name in req.vectors:
            try:
                y = vecs.get(name)
            except MeasureFailed as exc:
                raise req.card.error(f".four: {exc}") from None
            try:
                got = fourier(t, y, req.freq, req.nfreqs, req.gridsize)
            except ValueError as exc:
                raise req.card.error(f".four {req.freq:g}: {exc}") from None
            label = name.lower()
            out.append(FourierTable(label, req.freq, *got, gridsize=req.gridsize,
                                    card=req.card))
    return out

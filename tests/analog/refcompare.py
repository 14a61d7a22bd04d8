"""Comparison of our results with ngspice's reference CSVs (shared/peers/analog/ref).

Tolerances (issue 7): op and dc node voltages within max(1e-4 relative, 10 uV) (currents
max(1e-4 relative, 1 nA)); ac within 1e-3 relative of the largest value of that vector;
tran within 1 % of the signal's swing after interpolating our waveform onto the reference
time points (PCHIP; plus a floor of ngspice's own RELTOL, 1e-3 of the signal's magnitude, for
nodes that hardly move).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from edapipe.analog.analyses import Result


def read_ref(path: Path):
    with open(path) as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def compare_op(res: Result, path: Path) -> list[str]:
    _, rows = read_ref(path)
    got = dict(zip(res.names, res.data[0]))
    bad = []
    for name, val in rows:
        ref = float(val)
        if name not in got:
            bad.append(f"{name}: missing")
            continue
        floor = 1e-5 if name.startswith("v(") else 1e-9
        if abs(got[name] - ref) > max(1e-4 * abs(ref), floor):
            bad.append(f"{name}: {got[name]:.9g} vs ngspice {ref:.9g}")
    return bad


def compare_sweep(res: Result, path: Path, newton_window: bool = False):
    """DC sweep. Returns (failures, points inside ngspice's own Newton tolerance only).

    ngspice stops Newton when updates are below RELTOL*|v| + VNTOL; in high-gain regions its
    reference values carry that error (checked against ngspice with reltol=1e-7: our values
    agree with the tight run). With newton_window, such points are counted, not failed."""
    head, rows = read_ref(path)
    ref = np.array([[float(v) for v in r] for r in rows])
    got = dict(zip(res.names, res.data.T))
    bad, window = [], 0
    if len(res.scale) != len(ref):
        return [f"{len(res.scale)} sweep points, ngspice {len(ref)}"], 0
    for j, name in enumerate(head[1:], 1):
        if name not in got:
            bad.append(f"{name}: missing")
            continue
        r, g = ref[:, j], got[name]
        floor = 1e-5 if name.startswith("v(") else 1e-9
        err = np.abs(g - r)
        strict = err <= np.maximum(1e-4 * np.abs(r), floor)
        loose = err <= 1e-3 * np.abs(r) + 10 * (1e-6 if name.startswith("v(") else 1e-12)
        if newton_window:
            window += int(np.sum(~strict & loose))
            fail = ~loose
        else:
            fail = ~strict
        if np.any(fail):
            i = int(np.argmax(np.where(fail, err, 0)))
            bad.append(f"{name} at {ref[i, 0]:g}: {g[i]:.9g} vs ngspice {r[i]:.9g}")
    return bad, window


def compare_ac(res: Result, path: Path) -> list[str]:
    head, rows = read_ref(path)
    ref = np.array([[float(v) for v in r] for r in rows])
    got = dict(zip(res.names, res.data.T))
    bad = []
    if len(res.scale) != len(ref):
        return [f"{len(res.scale)} frequencies, ngspice {len(ref)}"]
    for j in range(1, len(head), 2):
        name = head[j][3:-1]
        if name not in got:
            bad.append(f"{name}: missing")
            continue
        r = ref[:, j] + 1j * ref[:, j + 1]
        err = np.abs(got[name] - r)
        tol = 1e-3 * np.maximum(np.abs(r), 1e-3 * np.abs(r).max()) + 1e-15
        if np.any(err > tol):
            i = int(np.argmax(err / tol))
            bad.append(f"{name} at {ref[i, 0]:g} Hz: {got[name][i]:.6g} vs {r[i]:.6g}")
    return bad


def tran_errors(res: Result, path: Path, skip=()) -> dict[str, float]:
    """Worst error of each vector as a fraction of its tolerance (1 % of swing)."""
    from scipy.interpolate import PchipInterpolator

    head, rows = read_ref(path)
    ref = np.array([[float(v) for v in r] for r in rows])
    got = dict(zip(res.names, res.data.T))
    t = ref[:, 0]
    out = {}
    for j, name in enumerate(head[1:], 1):
        if name in skip:
            continue
        if name not in got:
            out[name] = float("inf")
            continue
        r = ref[:, j]
        g = PchipInterpolator(res.scale, got[name])(t)
        floor = 1e-5 if name.startswith("v(") else 1e-9
        tol = max(0.01 * (r.max() - r.min()), 1e-3 * np.abs(r).max(), floor)
        out[name] = float(np.max(np.abs(g - r)) / tol)
    return out


def oscillation(t: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """(period, amplitude) from upward mean crossings (linearly interpolated)."""
    m = v.mean()
    s = v - m
    idx = np.where((s[:-1] < 0) & (s[1:] >= 0))[0]
    cross = t[idx] - s[idx] * (t[idx + 1] - t[idx]) / (s[idx + 1] - s[idx])
    period = float(np.median(np.diff(cross))) if len(cross) > 2 else float("nan")
    return period, float((v.max() - v.min()) / 2)

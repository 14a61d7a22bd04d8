"""Writers for analysis results: CSV (the layout of the peer references), ngspice raw files
(ASCII and binary, one plot per analysis), JSON and PNG plots; the deck's output cards:
`.save`/`.probe` (which vectors the writers get) and `.print` (tables on standard output)."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from edapipe.analog.results import Result
from edapipe.analog.parser import Card, Warnings
from edapipe.util.files import atomic_write

_PLOTNAMES = {"op": "Operating Point", "dc": "DC transfer characteristic",
              "ac": "AC Analysis", "tran": "Transient Analysis", "tf": "Transfer Function",
              "noise": "Noise Spectral Density Curves", "sens": "Sensitivity Analysis",
              "pz": "Pole-Zero Analysis"}
_ONE_POINT = ("op", "tf", "sens", "pz")      # results of one point: no scale
_WHOLE = ("tf", "sens", "pz")     # numbers, not vectors of the circuit: .save keeps them whole


def _fmt(v: float) -> str:
    return repr(float(v)) if v == v else "nan"


def to_csv(res: Result) -> str:
    out = io.StringIO()
    if res.kind == "pz":
        # the poles and zeros, complex: one row each
        out.write("variable,re,im\n")
        for name, val in zip(res.names, res.data[0]):
            out.write(f"{name},{_fmt(val.real)},{_fmt(val.imag)}\n")
        return out.getvalue()
    if res.kind in _ONE_POINT:
        out.write("variable,value\n")
        for name, val in zip(res.names, res.data[0]):
            out.write(f"{name},{_fmt(val)}\n")
        return out.getvalue()
    scale = {"dc": res.scale_name or "v(v-sweep)", "ac": "frequency", "tran": "time",
             "noise": "frequency"}[res.kind]
    if res.kind == "ac":
        cols = [c for n in res.names for c in (f"re({n})", f"im({n})")]
    else:
        cols = list(res.names)
    out.write(",".join([scale] + cols) + "\n")
    for i, s in enumerate(res.scale):
        row = res.data[i]
        if res.kind == "ac":
            vals = [x for z in row for x in (_fmt(z.real), _fmt(z.imag))]
        else:
            vals = [_fmt(v) for v in row]
        out.write(",".join([_fmt(s)] + vals) + "\n")
    return out.getvalue()


def per_analysis_path(path: str, kind: str, count: int) -> str:
    """With several analyses, `out.csv` becomes `out__op.csv`, `out__tran.csv`, ..."""
    if count <= 1:
        return path
    p = Path(path)
    return str(p.with_name(f"{p.stem}__{kind}{p.suffix}"))


def _raw_vars(res: Result) -> list[tuple[str, str]]:
    vars_ = []
    if res.kind == "dc":
        name = res.scale_name or "v(v-sweep)"
        if name.startswith(("v(", "i(")):
            vars_.append((name[2:-1], "voltage" if name[0] == "v" else "current"))
        else:
            vars_.append((name, "temperature" if name.startswith("temp") else "voltage"))
    elif res.kind in ("ac", "noise"):
        vars_.append(("frequency", "frequency"))
    elif res.kind == "tran":
        vars_.append(("time", "time"))
    if res.kind in ("sens", "pz"):
        # ngspice's raw file: the parameter names (poles, zeros) as voltages, v(r1),
        # v(pole(1))
        return [(f"v({n})", "voltage") for n in res.names]
    for n in res.names:
        kind = "voltage-density" if res.kind == "noise" else (
            "current" if n.startswith("i(") else "voltage")
        vars_.append((n, kind))
    return vars_


def to_raw(results: list[Result], title: str, binary: bool = True) -> bytes:
    """ngspice raw file: a header per plot, then `Values:` (ASCII) or `Binary:` data."""
    out = io.BytesIO()
    date = time.strftime("%a %b %d %H:%M:%S  %Y")
    for res in results:
        # a .pz plot is complex when it has roots (ngspice writes an empty one as real)
        complex_ = res.kind == "ac" or (res.kind == "pz" and bool(res.names))
        vars_ = _raw_vars(res)
        npts = 1 if res.kind in _ONE_POINT else len(res.scale)
        head = [f"Title: {title}", f"Date: {date}", f"Plotname: {_PLOTNAMES[res.kind]}",
                f"Flags: {'complex' if complex_ else 'real'}", f"No. Variables: {len(vars_)}",
                f"No. Points: {npts}", "Variables:"]
        head += [f"\t{i}\t{n}\t{t}" for i, (n, t) in enumerate(vars_)]
        head.append("Binary:" if binary else "Values:")
        out.write(("\n".join(head) + "\n").encode())
        if res.kind in _ONE_POINT:
            table = res.data[:1]
        else:
            table = np.column_stack([res.scale.astype(res.data.dtype), res.data])
        if binary:
            if complex_:
                out.write(np.ascontiguousarray(table, dtype=np.complex128).tobytes())
            else:
                out.write(np.ascontiguousarray(table, dtype=np.float64).tobytes())
        else:
            lines = []
            for i, row in enumerate(table):
                for j, v in enumerate(row):
                    val = f"{v.real:.15e},{v.imag:.15e}" if complex_ else f"{v:.15e}"
                    lines.append(f" {i}\t{val}" if j == 0 else f"\t{val}")
                lines.append("")
            out.write(("\n".join(lines) + "\n").encode())
    return out.getvalue()


def to_json_obj(results: list[Result], title: str, measures: list | None = None,
                fouriers: list | None = None) -> dict:
    """`measures` / `fouriers`: per result, its .meas outcomes and .four tables."""
    analyses = []
    for k, res in enumerate(results):
        item: dict = {"analysis": res.kind, "points": int(len(res.scale))
                      if res.kind not in _ONE_POINT else 1}
        if res.kind == "pz":
            item["values"] = {n: {"re": float(v.real), "im": float(v.imag)}
                              for n, v in zip(res.names, res.data[0])}
        elif res.kind in _ONE_POINT:
            item["values"] = {n: float(v) for n, v in zip(res.names, res.data[0])}
        else:
            item["scale"] = {"name": res.scale_name, "values": res.scale.tolist()}
            if res.kind == "ac":
                item["vectors"] = {n: {"re": res.data[:, i].real.tolist(),
                                       "im": res.data[:, i].imag.tolist()}
                                   for i, n in enumerate(res.names)}
            else:
                item["vectors"] = {n: res.data[:, i].tolist() for i, n in enumerate(res.names)}
        if res.extra:
            item["stats"] = res.extra
        if measures and measures[k]:
            # a failed measurement is null with the reason (ngspice prints no value)
            item["measurements"] = [
                {"name": o.name, "value": o.value, **({"error": o.error} if o.error else {}),
                 **{key: float(v) for key, v in o.extra.items()}} for o in measures[k]]
        if fouriers and fouriers[k]:
            item["fourier"] = [f.as_json() for f in fouriers[k]]
        analyses.append(item)
    return {"title": title, "analyses": analyses}


def to_json(results: list[Result], title: str, measures: list | None = None,
            fouriers: list | None = None) -> str:
    return json.dumps(to_json_obj(results, title, measures, fouriers), indent=1)


def op_table(res: Result) -> str:
    width = max((len(n) for n in res.names), default=8)
    lines = [f"{'variable':<{width}}  value"]
    for n, v in zip(res.names, res.data[0]):
        lines.append(f"{n:<{width}}  {v: .6e}")
    return "\n".join(lines) + "\n"


def plot_png(res: Result, path: str, title: str) -> None:
    """Waveforms (tran), transfer curves (dc) or a Bode plot (ac) of the node voltages."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if res.kind == "pz":
        fig = _pz_map(plt, res)
        fig.suptitle(f"{title} - {_PLOTNAMES[res.kind]}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        plt.close(fig)
        atomic_write(path, buf.getvalue())
        return
    volts = [i for i, n in enumerate(res.names) if n.startswith("v(")][:12]
    amps = not volts and res.kind != "noise"   # a .save of currents only: plot those
    if not volts:
        volts = list(range(len(res.names)))[:12]
    if amps:
        volts = list(range(len(res.names)))[:12]
    if res.kind == "tf":
        raise ValueError("a .tf result has no waveform to plot")
    if res.kind == "ac":
        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(8, 6))
        for i in volts:
            z = res.data[:, i]
            ax1.semilogx(res.scale, 20 * np.log10(np.maximum(np.abs(z), 1e-30)),
                         label=res.names[i])
            ax2.semilogx(res.scale, np.degrees(np.unwrap(np.angle(z))))
        ax1.set_ylabel("magnitude (dB)")
        ax2.set_ylabel("phase (deg)")
        ax2.set_xlabel("frequency (Hz)")
        ax1.legend(fontsize="small")
    else:
        fig, ax1 = plt.subplots(figsize=(8, 5))
        if res.kind == "op":
            ax1.bar([res.names[i] for i in volts], [res.data[0, i] for i in volts])
        else:
            for i in volts:
                ax1.plot(res.scale, res.data[:, i], label=res.names[i])
            ax1.set_xlabel({"tran": "time (s)", "dc": "sweep (V or A)",
                            "noise": "frequency (Hz)"}[res.kind])
            if res.kind == "noise":
                ax1.set_xscale("log")
                ax1.set_yscale("log")
            ax1.legend(fontsize="small")
        ax1.set_ylabel("current (A)" if amps else "voltage (V)")
    fig.suptitle(f"{title} - {_PLOTNAMES[res.kind]}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, buf.getvalue())


def _pz_map(plt, res: Result):
    """A .pz result as the s-plane map: poles as crosses, zeros as circles (rad/s)."""
    fig, ax = plt.subplots(figsize=(7, 6))
    roots = res.data[0] if len(res.names) else np.zeros(0, dtype=complex)
    for prefix, marker, label in (("pole", "x", "poles"), ("zero", "o", "zeros")):
        pick = np.array([n.startswith(prefix) for n in res.names], dtype=bool)
        if pick.any():
            ax.plot(roots[pick].real, roots[pick].imag, linestyle="none", marker=marker,
                    fillstyle="none", markersize=9, label=label)
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.axvline(0.0, color="grey", linewidth=0.5)
    ax.set_xlabel("real part (rad/s)")
    ax.set_ylabel("imaginary part (rad/s)")
    if len(res.names):
        ax.legend(fontsize="small")
    return fig


# --- output cards: .save / .probe / .print ------------------------------------------------

PRINT_KINDS = ("op", "dc", "ac", "tran")
# analyses ngspice can .print that we do not run: their .print lines are ignored with a warning
_OTHER_KINDS = ("noise", "disto", "pz", "tf", "sens", "four", "sp", "pss")
_GROUND = ("0", "gnd")
_ALL_KINDS = ("allv", "alli", "allcur", "allp")   # ngspice's other save/probe groups


@dataclass(frozen=True)
class Vec:
    """One output vector: v(a), v(a,b), i(x), and for .print vm/vdb/vp/vr/vi (im, idb, ...)."""

    kind: str          # "v" or "i"
    func: str          # "" or m, db, p, r, i (magnitude, dB, phase in radians, real, imaginary)
    a: str
    b: str = ""        # v(a,b): the difference v(a) - v(b)
    text: str = ""     # as written on the card

    @property
    def label(self) -> str:
        """The column name ngspice prints: v(2), vdb(2), v(1)-v(2), i(vin)."""
        if self.kind == "v" and self.b and not self.func:
            return f"v({self.a})-v({self.b})"
        args = f"{self.a},{self.b}" if self.b else self.a
        return f"{self.kind}{self.func}({args})"


@dataclass
class Outputs:
    """The deck's output requests (parse_outputs)."""

    saves: list[tuple[Vec, Card]] = field(default_factory=list)
    save_all: bool = False
    prints: dict[str, list[tuple[Vec, Card]]] = field(default_factory=dict)
    sens: list[str] = field(default_factory=list)     # `.print sens` names ("all": every)
    warnings: list[str] = field(default_factory=Warnings)


def _items(card: Card, cmd: str, body: str) -> list[tuple[str, list[str] | None, str]]:
    """`v(a) , i(v1) out v(x,y)` -> [(name, args or None for a bare word, text), ...].
    Commas and blanks separate; a '(' must close on the same card."""
    items = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c in " \t\r\n,":
            i += 1
            continue
        if c == ")":
            raise card.error(f"{cmd}: unexpected ')' in '{card.quote(body.strip())}'")
        j = i
        while j < n and body[j] not in " \t\r\n,()":
            j += 1
        word = body[i:j]
        k = j
        if k < n and body[k] == "(":
            close = body.find(")", k)
            inner = body[k + 1:close] if close >= 0 else ""
            if close < 0:
                raise card.error(f"{cmd}: '{card.quote(body[i:].strip())}' has no closing ')'")
            if not word:
                raise card.error(f"{cmd}: '{card.quote(body[i:close + 1].strip())}' needs a "
                                 "vector name before '('")
            if "(" in inner:
                raise card.error(f"{cmd}: cannot read '{card.quote(body[i:close + 1].strip())}' "
                                 "(nested parentheses)")
            args = [a.lower() for a in re.split(r"[\s,]+", inner) if a]
            if not args:
                raise card.error(f"{cmd}: '{card.quote(body[i:close + 1].strip())}' names no "
                                 "node or source")
            items.append((word.lower(), args, body[i:close + 1].strip()))
            i = close + 1
        else:
            items.append((word.lower(), None, word))
            i = j
    return items


def _vec(name: str, args: list[str] | None, text: str) -> Vec | None:
    if args is None:
        if name.endswith("#branch") and len(name) > 7:
            return Vec("i", "", name[:-7], text=text)
        if re.fullmatch(r"[^\s@\[\]{}'\"=*/+]+", name):
            return Vec("v", "", name, text=text)       # a bare node name: v(name)
        return None
    m = re.fullmatch(r"([vi])(m|db|p|r|i|)", name)
    if m is None or len(args) > 2 or (m.group(1) == "i" and len(args) != 1):
        return None
    return Vec(m.group(1), m.group(2), args[0], args[1] if len(args) == 2 else "", text)


def parse_outputs(cards: list[Card]) -> Outputs:
    """Read the deck's .save, .probe and .print cards (deck.outputs). Malformed cards raise
    InputError (file:line); items we cannot map are warnings."""
    out = Outputs()
    for card in cards:
        parts = card.text.split(None, 1)
        cmd = parts[0].lower()
        body = parts[1] if len(parts) > 1 else ""
        where = f"{card.file}:{card.line}"
        items = _items(card, cmd, body)
        if cmd in (".save", ".probe"):
            for name, args, text in items:
                if args is None and name == "all":
                    out.save_all = True
                    continue
                vec = _vec(name, args, text)
                if vec is None or vec.func or vec.b or (args is None and name in _ALL_KINDS):
                    out.warnings.append(f"{where}: {cmd} {card.quote(text)}: cannot save this "
                                        "vector (only v(node), i(source), node names, all): "
                                        "ignored")
                    continue
                out.saves.append((vec, card))
            continue
        # .print TYPE vectors
        if not items or items[0][1] is not None or items[0][0] not in PRINT_KINDS + _OTHER_KINDS:
            out.warnings.append(f"{where}: .print needs an analysis type (op, dc, ac or tran) "
                                "first: line ignored")
            continue
        kind = items[0][0]
        if kind == "sens":
            # ngspice's sensitivity vectors are parameter names (r1, r1_m, r1:bv_max)
            out.sens += [w.lower() for w in re.split(r"[\s,]+", body)[1:] if w]
            continue
        if kind in ("noise", "tf", "pz"):
            out.warnings.append(f"{where}: .print {kind}: not printed as a table (the "
                                f"{'totals' if kind == 'noise' else 'results'} are printed; "
                                f"everything goes to --csv, --raw and --json)")
            continue
        if kind not in PRINT_KINDS:
            out.warnings.append(f"{where}: .print {card.quote(kind)}: analysis not supported: "
                                "line ignored")
            continue
        if len(items) == 1:
            out.warnings.append(f"{where}: .print {kind} names no vector: line ignored")
            continue
        for name, args, text in items[1:]:
            vec = _vec(name, args, text)
            if vec is None:
                out.warnings.append(f"{where}: .print {kind} {card.quote(text)}: cannot print this "
                                    "(v(node), v(a,b), i(source), vm/vdb/vp/vr/vi): ignored")
                continue
            out.prints.setdefault(kind, []).append((vec, card))
    return out


def _find(names: dict[str, int], kind: str, name: str) -> int | None:
    """Column of v(name) / i(name), also for ngspice's flattened source names (v.x1.v1)."""
    j = names.get(f"{kind}({name})")
    if j is None and kind == "i":
        m = re.fullmatch(r"[a-z]\.(.+)", name)
        if m:
            j = names.get(f"i({m.group(1)})")
    return j


def select_saved(results: list[Result], outs: Outputs) -> tuple[list[Result], list[str]]:
    """The results as the writers see them: with .save/.probe vectors (and not `.save all`),
    only those, in the order listed (the scale stays). A vector that does not exist is a
    warning and left out; when none exists, everything is kept."""
    # .tf: three numbers, .sens: parameter names, .pz: roots: kept whole
    waves = [r for r in results if r.kind not in _WHOLE]
    if outs.save_all or not outs.saves or not waves:
        return results, []
    index = {n: j for j, n in enumerate(waves[0].names)}
    warnings, wanted = Warnings(), []
    for vec, card in outs.saves:
        j = _find(index, vec.kind, vec.a)
        if j is None:
            warnings.append(card.warning(f"{card.text.split()[0].lower()} "
                                         f"{card.quote(vec.text)}: no vector "
                                         f"{card.quote(vec.label)} in this circuit: left out"))
        elif waves[0].names[j] not in wanted:
            wanted.append(waves[0].names[j])
    if not wanted:
        return results, warnings
    selected = []
    for res in results:
        if res.kind in _WHOLE:
            selected.append(res)
            continue
        cols = {n: j for j, n in enumerate(res.names)}
        idx = [cols[n] for n in wanted if n in cols]
        selected.append(dataclasses.replace(res, names=[res.names[j] for j in idx],
                                            data=res.data[:, idx]))
    return selected, warnings


def _ngnum(x: np.ndarray) -> list[str]:
    """ngspice's printnum: %.6e, one digit less for negative numbers (12 characters)."""
    return [f"{v:.6e}" if v >= 0 else f"{v:.5e}" for v in x.tolist()]


def _print_scale_name(res: Result) -> str:
    if res.kind == "ac":
        return "frequency"
    if res.kind == "tran":
        return "time"
    name = res.scale_name or "v(v-sweep)"
    m = re.fullmatch(r"[vi]\((.*)\)", name)
    return m.group(1) if m else name         # v(v-sweep) -> v-sweep, as ngspice prints it


def print_table(res: Result, vecs: list[tuple[Vec, Card]]) -> tuple[str, list[str]]:
    """The table of ngspice's `.print`: a header (Index, the scale, the vectors) and one
    tab-separated row per point. Complex values (plain v() of an ac analysis) print as
    `re,<tab>im`, as ngspice does. Returns (text, warnings); text is "" if nothing is left."""
    index = {n: j for j, n in enumerate(res.names)}
    npts = res.data.shape[0]
    warnings: list[str] = Warnings()

    def node(name):
        if name in _GROUND:
            return np.zeros(npts, dtype=res.data.dtype)
        j = _find(index, "v", name)
        return None if j is None else res.data[:, j]

    heads, cols = [], []
    for vec, card in vecs:
        if vec.kind == "i":
            j = _find(index, "i", vec.a)
            val = None if j is None else res.data[:, j]
        else:
            val = node(vec.a)
            if val is not None and vec.b:
                other = node(vec.b)
                val = None if other is None else val - other
        if val is None:
            warnings.append(card.warning(f".print {res.kind} {card.quote(vec.text)}: no such "
                                         "vector: left out"))
            continue
        f = vec.func
        with np.errstate(divide="ignore"):
            if f == "m":
                val = np.abs(val)
            elif f == "db":
                val = 20 * np.log10(np.abs(val))
            elif f == "p":
                val = np.angle(val)
            elif f == "r":
                val = np.real(val)
            elif f == "i":
                val = np.imag(val) if np.iscomplexobj(val) else np.zeros(npts)
        if np.iscomplexobj(val):
            re_, im_ = _ngnum(val.real), _ngnum(val.imag)
            cols.append([f"{a},\t{b}" for a, b in zip(re_, im_)])
            heads.append(f"{vec.label:<31} ")
        else:
            cols.append(_ngnum(np.asarray(val, dtype=float)))
            heads.append(f"{vec.label:<15} ")
    if not cols:
        return "", warnings
    first = [f"{'Index':<8}"]
    rows = [[str(i) for i in range(npts)]]
    if res.kind != "op":
        first.append(f"{_print_scale_name(res):<15} ")
        rows.append(_ngnum(np.asarray(res.scale, dtype=float)))
    header = "".join(first + heads).rstrip()
    body = "\n".join("\t".join(r) for r in zip(*rows, *cols))
    return header + "\n" + body + "\n", warnings

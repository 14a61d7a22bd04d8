"""Writers for analysis results: CSV (the layout of the peer references), ngspice raw files
(ASCII and binary, one plot per analysis), JSON and PNG plots."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np

from edapipe.analog.analyses import Result
from edapipe.util.files import atomic_write

_PLOTNAMES = {"op": "Operating Point", "dc": "DC transfer characteristic",
              "ac": "AC Analysis", "tran": "Transient Analysis"}


def _fmt(v: float) -> str:
    return repr(float(v)) if v == v else "nan"


def to_csv(res: Result) -> str:
    out = io.StringIO()
    if res.kind == "op":
        out.write("variable,value\n")
        for name, val in zip(res.names, res.data[0]):
            out.write(f"{name},{_fmt(val)}\n")
        return out.getvalue()
    scale = {"dc": res.scale_name or "v(v-sweep)", "ac": "frequency", "tran": "time"}[res.kind]
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
    elif res.kind == "ac":
        vars_.append(("frequency", "frequency"))
    elif res.kind == "tran":
        vars_.append(("time", "time"))
    for n in res.names:
        vars_.append((n, "current" if n.startswith("i(") else "voltage"))
    return vars_


def to_raw(results: list[Result], title: str, binary: bool = True) -> bytes:
    """ngspice raw file: a header per plot, then `Values:` (ASCII) or `Binary:` data."""
    out = io.BytesIO()
    date = time.strftime("%a %b %d %H:%M:%S  %Y")
    for res in results:
        complex_ = res.kind == "ac"
        vars_ = _raw_vars(res)
        npts = 1 if res.kind == "op" else len(res.scale)
        head = [f"Title: {title}", f"Date: {date}", f"Plotname: {_PLOTNAMES[res.kind]}",
                f"Flags: {'complex' if complex_ else 'real'}", f"No. Variables: {len(vars_)}",
                f"No. Points: {npts}", "Variables:"]
        head += [f"\t{i}\t{n}\t{t}" for i, (n, t) in enumerate(vars_)]
        head.append("Binary:" if binary else "Values:")
        out.write(("\n".join(head) + "\n").encode())
        if res.kind == "op":
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


def to_json_obj(results: list[Result], title: str) -> dict:
    analyses = []
    for res in results:
        item: dict = {"analysis": res.kind, "points": int(len(res.scale)) if res.kind != "op"
                      else 1}
        if res.kind == "op":
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
        analyses.append(item)
    return {"title": title, "analyses": analyses}


def to_json(results: list[Result], title: str) -> str:
    return json.dumps(to_json_obj(results, title), indent=1)


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

    volts = [i for i, n in enumerate(res.names) if n.startswith("v(")][:12]
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
            ax1.set_xlabel({"tran": "time (s)", "dc": "sweep (V or A)"}[res.kind])
            ax1.legend(fontsize="small")
        ax1.set_ylabel("voltage (V)")
    fig.suptitle(f"{title} - {_PLOTNAMES[res.kind]}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, buf.getvalue())

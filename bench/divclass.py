"""Divider-class circuits for the CEC benchmark (issue 20): wide `/` and `%`, restoring and
non-restoring division loops, an integer square root and modular arithmetic, written in
Verilog, read with `edapipe read`, and each optimized by ABC's resyn2, dc2 and compress2rs
(spelled out: the installed ABC has no abc.rc). Everything is generated into
bench/.cache/divclass, never into the repository, and regenerated only when missing.
"""

from __future__ import annotations

import subprocess

from bench import common

RESYN2 = ("balance; rewrite; refactor; balance; rewrite; rewrite -z; balance; refactor -z; "
          "rewrite -z; balance")
COMPRESS2RS = ("balance -l; resub -K 6 -l; rewrite -l; resub -K 6 -N 2 -l; refactor -l; "
               "resub -K 8 -l; balance -l; resub -K 8 -N 2 -l; rewrite -l; resub -K 10 -l; "
               "rewrite -z -l; resub -K 10 -N 2 -l; balance -l; resub -K 12 -l; "
               "refactor -z -l; resub -K 12 -N 2 -l; rewrite -z -l; balance -l")
SCRIPTS = {"resyn2": RESYN2, "dc2": "dc2", "compress2rs": COMPRESS2RS}
DIR = common.CACHE / "divclass"


def _div(name: str, wa: int, wb: int) -> str:
    return (f"module {name}(input [{wa - 1}:0] a, input [{wb - 1}:0] b,\n"
            f"  output [{wa - 1}:0] q, output [{wb - 1}:0] r);\n"
            "  assign q = a / b;\n  assign r = a % b;\nendmodule\n")


def _restoring(name: str, w: int) -> str:
    return f"""module {name}(input [{w - 1}:0] n, input [{w - 1}:0] d,
  output reg [{w - 1}:0] q, output reg [{w - 1}:0] r);
  integer i;
  reg [{w}:0] rem;
  always @* begin
    rem = 0;
    q = 0;
    for (i = {w - 1}; i >= 0; i = i - 1) begin
      rem = {{rem[{w - 1}:0], n[i]}};
      if (rem >= {{1'b0, d}}) begin
        rem = rem - {{1'b0, d}};
        q[i] = 1'b1;
      end
    end
    r = rem[{w - 1}:0];
  end
endmodule
"""


def _nonrestoring(name: str, w: int) -> str:
    """Non-restoring division: each row adds or subtracts the divisor by the sign of the
    partial remainder (no compare-and-mux as in _restoring): about 4,300 levels at w=64,
    close to the depth of the suite divider of issue 20."""
    return f"""module {name}(input [{w - 1}:0] n, input [{w - 1}:0] d,
  output reg [{w - 1}:0] q, output reg [{w - 1}:0] r);
  integer i;
  reg [{w}:0] rem;
  always @* begin
    rem = 0;
    q = 0;
    for (i = {w - 1}; i >= 0; i = i - 1) begin
      if (rem[{w}])
        rem = {{rem[{w - 1}:0], n[i]}} + {{1'b0, d}};
      else
        rem = {{rem[{w - 1}:0], n[i]}} - {{1'b0, d}};
      q[i] = ~rem[{w}];
    end
    if (rem[{w}])
      rem = rem + {{1'b0, d}};
    r = rem[{w - 1}:0];
  end
endmodule
"""


def _isqrt(name: str, w: int) -> str:
    """Digit-by-digit square root of a 2w-bit number (no multiplier: remainder updates)."""
    return f"""module {name}(input [{2 * w - 1}:0] x, output reg [{w - 1}:0] y,
  output reg [{w}:0] rem);
  integer i;
  reg [{w + 1}:0] t;
  always @* begin
    y = 0;
    rem = 0;
    for (i = {w - 1}; i >= 0; i = i - 1) begin
      t = {{rem[{w - 1}:0], x[2 * i + 1], x[2 * i]}};
      if (t >= {{y, 2'b01}}) begin
        rem = t - {{y, 2'b01}};
        y = {{y[{w - 2}:0], 1'b1}};
      end else begin
        rem = t;
        y = {{y[{w - 2}:0], 1'b0}};
      end
    end
  end
endmodule
"""


def _modmul(name: str, w: int) -> str:
    return (f"module {name}(input [{w - 1}:0] a, input [{w - 1}:0] b, input [{w - 1}:0] m,\n"
            f"  output [{w - 1}:0] r);\n"
            f"  wire [{2 * w - 1}:0] p = a * b;\n  assign r = p % m;\nendmodule\n")


CIRCUITS = {
    "div32": lambda n: _div(n, 32, 32),
    "div64": lambda n: _div(n, 64, 64),
    "div128x64": lambda n: _div(n, 128, 64),
    "rdiv40": lambda n: _restoring(n, 40),
    "nrdiv32": lambda n: _nonrestoring(n, 32),
    "nrdiv64": lambda n: _nonrestoring(n, 64),
    "isqrt32": lambda n: _isqrt(n, 32),
    "isqrt64": lambda n: _isqrt(n, 64),
    "modmul16": lambda n: _modmul(n, 16),
}


def original(name: str):
    """The AIG of circuit `name` read by edapipe (cached)."""
    DIR.mkdir(parents=True, exist_ok=True)
    src = DIR / f"{name}.v"
    out = DIR / f"{name}.aig"
    if not out.exists():
        src.write_text(CIRCUITS[name](name))
        proc = subprocess.run(common.EDAPIPE + ["read", str(src), "-o", str(out)],
                              capture_output=True, text=True, env=common.RUN_ENV, timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"edapipe read {src}: {proc.stderr[-500:]}")
    return out


def optimized(abc: str, src, script: str):
    """ABC's `script` (a SCRIPTS key) applied to AIGER file src (cached beside it)."""
    DIR.mkdir(parents=True, exist_ok=True)
    out = DIR / f"{src.stem}.{script}.aig"
    if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
        subprocess.run([abc, "-c", f"read {src}; strash; {SCRIPTS[script]}; write {out}"],
                       check=True, capture_output=True, timeout=3600)
    return out


def pairs(abc: str, names=None, scripts=None):
    """(label, original, optimized) for every circuit and script."""
    for name in names or CIRCUITS:
        src = original(name)
        for script in scripts or SCRIPTS:
            yield f"{name}.{script}", src, optimized(abc, src, script)

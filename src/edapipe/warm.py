"""Compile every numba kernel once (`python -m edapipe.warm`), so the first real run is fast.

`make install` and `make demo` run this. Each subsystem lists a function here that exercises its
kernels on a tiny input; numba's `cache=True` then keeps the machine code in
the kernel cache folder (edapipe.util.jit).
"""

from __future__ import annotations

import importlib
import sys
import time

# module:function pairs; each function takes no arguments and runs its kernels on tiny data.
WARMERS: list[str] = [
    "edapipe.aig.warm:warm",
    "edapipe.verify.warm:warm",
    "edapipe.synth.refactor:warm",
    "edapipe.analog.warm:warm",
    "edapipe.timing.warm:warm",
    "edapipe.synth.rewrite:warm",
    "edapipe.synth.map.lut:warm",
    "edapipe.synth.map.cells:warm",
]


def main() -> int:
    from edapipe.cli.main import configure_process

    configure_process()           # the same environment as the `edapipe` program
    t0 = time.perf_counter()
    for entry in WARMERS:
        module, func = entry.split(":")
        try:
            getattr(importlib.import_module(module), func)()
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    print(f"edapipe: numba kernels compiled and cached in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Input vectors for simulation: plain 0/1 lines, or AIGER witnesses (counter-examples)."""

from __future__ import annotations

import numpy as np

from edapipe.errors import InputError


def parse_vectors(data: bytes, filename: str, num_inputs: int, num_latches: int
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """(bits[T, num_inputs], initial latch state or None) from a vector file.

    Plain form: one line of num_inputs characters 0/1 per vector ('#' comments).
    AIGER witness form: a status line (0/1/2), a property line (b0...), the initial latch
    line (num_latches characters of 0/1/x; x taken as 0), one input line per frame, then '.'.
    """
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise InputError("vector file is not ASCII text", file=filename) from None
    lines = [(n + 1, ln.strip()) for n, ln in enumerate(text.splitlines())]
    body = [(n, ln) for n, ln in lines if ln and not ln.startswith("#")]
    init = None
    if len(body) >= 2 and body[0][1] in ("0", "1", "2") and body[1][1][:1] in ("b", "j"):
        rest = [(n, ln) for n, ln in lines[body[1][0]:]]
        # The latch line may be empty for a combinational design; take it positionally.
        if not rest:
            raise InputError("witness ends before the initial latch line", file=filename,
                             line=body[1][0] + 1)
        n_init, init_line = rest[0]
        if len(init_line) != num_latches or any(c not in "01xX" for c in init_line):
            raise InputError(f"initial state has {len(init_line)} latch values; the circuit "
                             f"has {num_latches} latches", file=filename, line=n_init, column=1)
        init = (np.frombuffer(init_line.encode("ascii"), dtype=np.uint8)
                == ord("1")).astype(np.uint8)
        frames = []
        for n, ln in rest[1:]:
            if ln == ".":
                break
            if ln or num_inputs == 0:       # a design without inputs: empty frame lines
                frames.append((n, ln))
        body = frames
    # One bytes object and one comparison for all rows: a 10 MB file is 10 MB of bits, not
    # ten million Python integers.
    rows = []
    for n, ln in body:
        if len(ln) != num_inputs:
            raise InputError(f"vector has {len(ln)} bits; the circuit has {num_inputs} inputs",
                             file=filename, line=n, column=1)
        if ln.strip("01xX"):
            bad = next(k for k, c in enumerate(ln) if c not in "01xX")
            raise InputError(f"unexpected character {ln[bad]!r} in a vector (0, 1 or x)",
                             file=filename, line=n, column=bad + 1)
        rows.append(ln)
    if not rows:
        raise InputError("no vectors in the file", file=filename)
    flat = np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8) == ord("1")
    return flat.astype(np.uint8).reshape(len(rows), num_inputs), init

"""What every pass shares: putting a rebuilt AND array back into an Aig."""

from __future__ import annotations

import numpy as np

from edapipe.aig.core import Aig


def co_split(aig: Aig, co_lits: np.ndarray) -> dict:
    """Split combinational-output literals (outputs, latch next, bad, constraints) back apart."""
    o, l, b = aig.num_outputs, aig.num_latches, len(aig.bad)
    co_lits = np.asarray(co_lits, dtype=np.int32)
    return dict(outputs=co_lits[:o], latch_next=co_lits[o:o + l], bad=co_lits[o + l:o + l + b],
                constraints=co_lits[o + l + b:])


def rebuild(aig: Aig, fanin0: np.ndarray, fanin1: np.ndarray, co_lits: np.ndarray) -> Aig:
    """The same circuit interface (inputs, latches, names) with new ANDs and CO literals."""
    return aig.replace(fanin0=fanin0, fanin1=fanin1, **co_split(aig, co_lits))

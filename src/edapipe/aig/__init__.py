"""The AIG core: the frozen Aig value, builders, analysis, simulation; formats in aig.io."""

from edapipe.aig.core import LATCH_INIT_X, Aig, lit_compl, lit_var, make_lit

__all__ = ["Aig", "LATCH_INIT_X", "lit_var", "lit_compl", "make_lit"]

"""What every pass shares: putting a rebuilt AND array back into an Aig.

The functions live in aig.builder (verify's fraig uses them too, and verify sits below synth:
docs/decisions.md, "Layers"); the passes keep importing them from here.
"""

from edapipe.aig.builder import co_split, rebuild

__all__ = ["co_split", "rebuild"]

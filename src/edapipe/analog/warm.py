"""Compile the analog kernels on a tiny circuit (diode, BJT, MOS, JFET; op, ac and tran)."""

from __future__ import annotations

_DECK = """warm-up
V1 in 0 DC 1 AC 1 PULSE(0 1 1n 1n 1n 5n 10n)
R1 in a 1k
D1 a 0 dm
Q1 c a 0 qm
RC vdd c 1k
VDD vdd 0 3
M1 d a 0 0 nm W=2u L=1u
RD vdd d 10k
C1 d 0 1p
J1 dj a 0 jm
RJ vdd dj 1k
.model dm D(IS=1e-14 CJO=1p)
.model qm NPN(BF=100 CJE=1p TF=1n)
.model nm NMOS(LEVEL=1 VTO=0.5 KP=1e-4 CBD=1f CBS=1f)
.model jm NJF(VTO=-1 CGS=1p CGD=1p)
.op
.ac dec 2 1k 1meg
.tran 1n 4n
.end
"""


def warm() -> None:
    from edapipe.analog import lu_kernels, transient_kernels
    from edapipe.analog.spice import load_circuit, simulate

    lu_kernels.warm()
    transient_kernels.warm()
    simulate(load_circuit("<warm>", _DECK))

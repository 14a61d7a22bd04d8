"""Compile the analog kernels on a tiny circuit (diode, BJT, MOS levels 1, 3, 8 (BSIM3) and
14 (BSIM4), JFET, S and W switches; op, ac and tran)."""

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
M3 d3 a 0 0 n3 W=2u L=1u
RD3 vdd d3 10k
M8 d8 a 0 0 n8 W=2u L=1u
RD8 vdd d8 10k
M14 d14 a 0 0 n14 W=2u L=1u
RD14 vdd d14 10k
S1 vdd s1 a 0 sm
RS1 s1 0 1k
W1 vdd w1 VDD wm ON
RW1 w1 0 1k
.model dm D(IS=1e-14 CJO=1p)
.model qm NPN(BF=100 CJE=1p TF=1n)
.model nm NMOS(LEVEL=1 VTO=0.5 KP=1e-4 CBD=1f CBS=1f)
.model jm NJF(VTO=-1 CGS=1p CGD=1p)
.model n3 NMOS(LEVEL=3 VTO=0.5 KP=1e-4 THETA=0.1 CBD=1f CBS=1f)
.model n8 NMOS(LEVEL=8 VERSION=3.3.0)
.model n14 NMOS(LEVEL=14 VERSION=4.8.2)
.model sm SW(VT=0.5 VH=0.1)
.model wm CSW(IT=1m IH=0.1m)
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

"""The device table, in the spirit of ngspice's DEVices: one module per device family,
each exporting FAMILY (devices/table.py: the entries set-up, stamping and the Newton loop
call). mna.build dispatches every element through BY_LETTER; the families stamp in the
order of FAMILIES (which fixes the order of floating-point sums in the matrix).

    passive      R C L V I E F G H   linear stamps, branch currents     passive.py
    behavioural  B                   interpreted, linearised in Python  behavioural.py
    mutual       K                   inductor coupling                  mutual.py
    diode        D                   diode_kernels.diode_load           diode.py
    bjt          Q                   bjt_kernels.bjt_load               bjt.py
    mos          M (levels 1, 2, 3)  mos_kernels.mos_load               mos.py
    bsim3        M (levels 8, 49)    bsim3_kernels.bsim3_load           bsim3.py
    bsim4        M (levels 14, 54)   bsim4_kernels.bsim4_load           bsim4.py
    jfet         J (level 1)         jfet_kernels.jfet_load             jfet.py
    switch       S W                 switch_kernels.switch_load         switch.py
    tline        T                   linear stamps, delay table         tline.py

Adding a family: docs/architecture.md ("Adding a device").
"""

from __future__ import annotations

from edapipe.analog.devices import (
    behavioural, bjt, bsim3, bsim4, diode, jfet, mos, mutual, passive, switch, tline)

# bsim3.FAMILY and bsim4.FAMILY have no letter: mos.setup hands it the BSIM3 cards, and the two share the
# name "mos", so they share the list of set-up items (each stamps its own, see bsim3.py)
FAMILIES = (passive.FAMILY, behavioural.FAMILY, mutual.FAMILY, diode.FAMILY, bjt.FAMILY,
            mos.FAMILY, jfet.FAMILY, bsim3.FAMILY, bsim4.FAMILY, switch.FAMILY,
            tline.FAMILY)
BY_LETTER = {letter: fam for fam in FAMILIES for letter in fam.letters}
BY_KIND = {fam.kind: fam for fam in FAMILIES if fam.kind}
NONLINEAR = tuple(fam for fam in FAMILIES if fam.load is not None)

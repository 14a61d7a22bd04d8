"""The device table, in the spirit of ngspice's DEVices: one module per device family,
each exporting FAMILY (devices/table.py: the entries set-up, stamping and the Newton loop
call). mna.build dispatches every element through BY_LETTER; the families stamp in the
order of FAMILIES (which fixes the order of floating-point sums in the matrix).

    passive      R C L V I E F G H   linear stamps, branch currents     passive.py
    behavioural  B                   interpreted, linearised in Python  behavioural.py
    mutual       K                   inductor coupling                  mutual.py
    diode        D                   diode_kernels.diode_load           diode.py
    bjt          Q                   bjt_kernels.bjt_load               bjt.py
    mos          M (levels 1, 2)     mos_kernels.mos_load               mos.py
    jfet         J (level 1)         jfet_kernels.jfet_load             jfet.py

Adding a family: docs/architecture.md ("Adding a device").
"""

from __future__ import annotations

from edapipe.analog.devices import behavioural, bjt, diode, jfet, mos, mutual, passive

FAMILIES = (passive.FAMILY, behavioural.FAMILY, mutual.FAMILY, diode.FAMILY, bjt.FAMILY,
            mos.FAMILY, jfet.FAMILY)
BY_LETTER = {letter: fam for fam in FAMILIES for letter in fam.letters}
BY_KIND = {fam.kind: fam for fam in FAMILIES if fam.kind}
NONLINEAR = tuple(fam for fam in FAMILIES if fam.load is not None)

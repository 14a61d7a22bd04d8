"""Mutual inductance (letter K, ngspice's MUT): couples the branch rows of two inductors."""

from __future__ import annotations

import math

from edapipe.analog.devices.table import Family, no_branch


def setup(e, bld, ctx):
    return e


def stamp(items, bld, sysm):
    for e in items:
        got = []
        for n in e.control.split():
            if n not in bld.inductors:
                raise e.card.error(f"element {e.name}: '{n}' is not an inductor")
            got.append(bld.inductors[n])
        (b1, l1), (b2, l2) = got
        mut = e.value * math.sqrt(l1 * l2)
        bld.entry(b1, b2, 0.0, -mut)
        bld.entry(b2, b1, 0.0, -mut)


FAMILY = Family("mutual", "K", setup, no_branch, stamp)

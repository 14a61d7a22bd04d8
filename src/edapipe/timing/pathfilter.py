"""Report path selection as OpenSTA's `report_checks -from/-through/-to` (and their
`-rise_`/`-fall_` forms): the worst paths that start at a -from point, pass every -through
point in order and end at a -to point.

The filter rides on the exception machinery (exceptions.py): it is one more exception, of
kind "filter", that never competes with the SDC's exceptions but marks which launch runs
and -through states its paths are in; search._one then times only the path ends it passes.
The SDC's own exceptions still apply to the selected paths (a false path stays false), as
in OpenSTA.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from edapipe.errors import UsageError, excerpt
from edapipe.timing.glob import compile_glob
from edapipe.timing.graph import TimingGraph
from edapipe.timing.sdc import Constraints, Exception_, Obj

_WILD = set("*?")


@dataclass(repr=False, eq=False)
class PathSpec:
    """The points of a report filter, as given on the command line (names or patterns;
    each string may hold several, separated by commas or spaces)."""

    from_: tuple[str, ...] = ()
    from_rf: int | None = None        # 0: -rise_from, 1: -fall_from
    through: tuple[tuple[str, int | None], ...] = ()   # (points, rise/fall), in order
    to: tuple[str, ...] = ()
    to_rf: int | None = None

    def __bool__(self) -> bool:
        return bool(self.from_ or self.through or self.to or self.from_rf is not None
                    or self.to_rf is not None)


def filtered(sdc: Constraints, g: TimingGraph, spec: PathSpec) -> Constraints:
    """A copy of the constraints with the report filter appended as an exception."""
    names = _Names(g, sdc)
    x = Exception_("filter",
                   names.resolve(spec.from_, "--from", ("port", "pin", "cell", "clock"))
                   if spec.from_ else None,
                   names.resolve(spec.to, "--to", ("port", "pin", "cell", "clock"))
                   if spec.to else None,
                   True, True, from_rf=spec.from_rf,
                   thrus=[(names.resolve((t,), "--through", ("port", "pin", "cell", "net")),
                           rf) for t, rf in spec.through],
                   to_rf=spec.to_rf)
    return dataclasses.replace(sdc, exceptions=list(sdc.exceptions) + [x])


class _Names:
    """The design's objects by kind, for resolving the names given on the command line."""

    def __init__(self, g: TimingGraph, sdc: Constraints):
        nl = g.netlist
        self.by_kind = {
            "port": [p.name for p in nl.ports],
            "pin": sorted({g.node_name(v) for v in range(len(g.node_inst))
                           if g.node_inst[v] >= 0}),
            "cell": [i.name for i in nl.instances],
            "net": nl.net_names[2:],
            "clock": list(sdc.clocks),
        }
        self.sets = {k: set(v) for k, v in self.by_kind.items()}

    def resolve(self, items: tuple[str, ...], option: str, kinds) -> list[Obj]:
        """Names or wildcard patterns -> objects, each looked up as a port, then a pin, an
        instance, a net (--through) or a clock (--from/--to), the first kind that has it."""
        out: list[Obj] = []
        for item in items:
            words = [w for w in item.replace(",", " ").split() if w]
            if not words:
                raise UsageError(f"{option}: empty list of points")
            for w in words:
                got = self._one(w, kinds)
                if not got:
                    raise UsageError(f"{option} {excerpt(w, 60)}: no {_kinds(kinds)} of "
                                     "that name in the design")
                out += got
        return out

    def _one(self, word: str, kinds) -> list[Obj]:
        if not _WILD & set(word):
            for kind in kinds:
                if word in self.sets[kind]:
                    return [Obj(kind, word)]
            return []
        match = compile_glob(word)
        for kind in kinds:
            hits = [Obj(kind, n) for n in self.by_kind[kind] if match(n)]
            if hits:
                return hits
        return []


def _kinds(kinds) -> str:
    words = {"port": "port", "pin": "pin", "cell": "instance", "net": "net",
             "clock": "clock"}
    names = [words[k] for k in kinds]
    return ", ".join(names[:-1]) + " or " + names[-1]

"""Parasitics of one analysis each: OpenSTA's `read_spef -max FILE` / `read_spef -min FILE`
(`--spef-max` / `--spef-min`, `--corner-spef NAME:max=FILE`).

OpenSTA then keeps a parasitic analysis point per min/max (Corners::
makeParasiticAnalysisPtsMinMax): the setup (max) analysis reduces and times the max file's
networks with the max pin capacitances, the hold (min) one the min file's with the min ones.
Here each file is reduced onto the graph on its own (rc.annotate, with that analysis' pin and
port capacitances) and the two reductions are merged into one RcNet per driver whose (edge,
max) entries come from the max file and (edge, min) entries from the min file. Where one
analysis has no parasitics for a net (no file for it, or its file lacks the net) OpenSTA
times that analysis lumped; the RC pass records RC loads per pin, not per analysis, so that
side gets a pi model without resistance holding the lumped load (which the RC pass times as
the table at that load, with no wire delay and the driver's slew at the loads: the lumped
rule exactly). A net whose two files name different load pins is an error.
"""

from __future__ import annotations

import dataclasses

from edapipe.errors import InputError, excerpt


def spef_pair(spef: str | None, spef_max: str | None, spef_min: str | None
              ) -> str | tuple[str | None, str | None] | None:
    """The parasitics of both analyses as OpenSTA reads them in order (`read_spef FILE`
    for both, then `read_spef -max` / `-min` replacing one): None, one file for both, or
    (max file or None, min file or None)."""
    mx = spef_max or spef
    mn = spef_min or spef
    if mx is None and mn is None:
        return None
    return mx if mx == mn else (mx, mn)


def annotate_min_max(g, spef_max, spef_min, sdc, names: tuple[str, str]) -> list[str]:
    """Sets g.rc from two SPEFs (max analysis, min analysis; either may be None: no
    parasitics for it); returns warnings. `names`: the files' names for messages."""
    from edapipe.timing import rc

    warnings: list[str] = []
    ext = g.port_ext
    if ext is not None and len(ext):
        ext = ext.copy()
        ext[:, :, 1] = ext[:, :, 0]    # rc.annotate reduces with the min column
    views = (dataclasses.replace(g, pin_cap_min=g.pin_cap, port_ext=ext, rc=None),
             dataclasses.replace(g, rc=None))
    got = []
    for view, spef in zip(views, (spef_max, spef_min)):
        if spef is not None:
            warnings += rc.annotate(view, spef, sdc)
        got.append(view.rc or {})
    merged = {}
    for drv in dict.fromkeys(list(got[0]) + list(got[1])):
        nets = [side.get(drv) for side in got]
        if nets[0] is not None and nets[1] is not None and \
                set(nets[0].elmore) != set(nets[1].elmore):
            raise _one_sided(g, drv, spef_max, names[0], names[1])
        loads = (nets[0] or nets[1]).elmore
        pi, elmore, cap = {}, {load: {} for load in loads}, {}
        for mm, net in enumerate(nets):
            for e in range(2):
                if net is None:
                    # no parasitics in this analysis: the lumped load, as a pi model
                    # without resistance (the RC pass times it as the table at that load,
                    # the loads at the driver's slew and no wire delay)
                    c = float((g.load if mm == 0 else g.load_min)[drv, e])
                    pi[(e, mm)] = (0.0, 0.0, c)
                    cap[(e, mm)] = None
                    for load in loads:
                        elmore[load][(e, mm)] = 0.0
                else:
                    pi[(e, mm)] = net.pi[(e, mm)]
                    cap[(e, mm)] = net.cap.get((e, mm))
                    for load in loads:
                        elmore[load][(e, mm)] = net.elmore[load][(e, mm)]
        merged[drv] = rc.RcNet(pi, elmore, cap)
    g.rc = merged
    return warnings


def _one_sided(g, drv: int, spef, has: str, other: str) -> InputError:
    name = g.node_name(drv) if g.node_inst[drv] >= 0 else g.node_pin[drv]
    net = g.netlist.net_names[int(g.node_net[drv])]
    line = next((n.line for n in spef.nets if name in n.pins or n.name == net), None)
    return InputError(f"net {excerpt(net, 60)} (driver {excerpt(name, 60)}): its load pins "
                      f"here and in {other} differ", file=has, line=line)

"""Behavioural sources (letter B, ngspice's ASRC): I= or V= an expression of node voltages,
branch currents and time. Interpreted in Python and linearised by central differences at
every Newton iteration (B sources are few); the Newton loop takes the result as extra
matrix values and right-hand side (newton_kernels.Linear.xdata / xrhs)."""

from __future__ import annotations

from edapipe.analog.devices.table import Family


def setup(e, bld, ctx):
    """The temperature factor of TC1/TC2 (ngspice's asrctemp.c): 1 + TC1 dT + TC2 dT^2,
    dT = T - TNOM, T the instance TEMP, else the circuit's plus DTEMP."""
    p = e.params
    t = p["temp"] if "temp" in p else ctx.temp + p.get("dtemp", 0.0)
    dt = t - ctx.tnom
    p["factor"] = 1.0 + p.get("tc1", 0.0) * dt + p.get("tc2", 0.0) * dt * dt
    return e


def branch(e) -> bool:
    return e.params["kind"] == "V"


def stamp(items, bld, sysm):
    """The pattern entries of every source's rows and controlling columns; returns the
    pending list `finish` turns into sysm.bsrc once positions are known."""
    pending = []
    branch_index = sysm.branch
    for e in items:
        nodes = [bld.node(n) for n in e.nodes]
        cols = []
        for dep in e.params["deps"]:
            if dep[0] == "v":
                cols.append((bld.node(dep[1]), bld.node(dep[2])))
            else:
                if dep[1] not in branch_index:
                    raise e.card.error(f"element {e.name}: i({dep[1]}) needs a voltage source "
                                       f"or inductor named {dep[1]}")
                cols.append((branch_index[dep[1]], -1))
        br = branch_index.get(e.name, -1)
        if br >= 0:
            bld.entry(nodes[0], br, 1.0)
            bld.entry(nodes[1], br, -1.0)
            bld.entry(br, nodes[0], 1.0)
            bld.entry(br, nodes[1], -1.0)
            rows = [(br, 1.0)]
        else:
            rows = [(nodes[0], 1.0), (nodes[1], -1.0)]
        for cp, cn in cols:
            for r, _ in rows:
                bld.entry(r, cp)
                bld.entry(r, cn)
        pending.append((e, rows, cols, br))
    return pending


def finish(pending, sysm, position):
    for e, rows, cols, br in pending:
        stamps = [[(position(r, cp), position(r, cn)) for cp, cn in cols] for r, _ in rows]
        sysm.bsrc.append({"elem": e, "rows": rows, "cols": cols, "branch": br,
                          "pos": stamps})


def stamp_behavioural(sysm, x, time: float, data, rhs) -> None:
    """Linearise every B source at x: derivatives by central differences (B sources are
    few; their expressions are interpreted). I=: current n+ -> n- through the source.
    V=: branch row v(n+) - v(n-) = f(x)."""
    from edapipe.analog.expr import ExprError, evaluate

    for b in sysm.bsrc:
        e = b["elem"]
        p = e.params
        env = {"time": time}           # in front of the parameters (see evaluate)
        outer = p["env"]
        vals = []
        for cp, cn in b["cols"]:
            vals.append((x[cp] if cp >= 0 else 0.0) - (x[cn] if cn >= 0 else 0.0))
        for k, v in enumerate(vals):
            env[f"__d{k}"] = v
        try:
            f0 = evaluate(p["tree"], env, p["funcs"], outer)
            grads = []
            for k, v in enumerate(vals):
                h = 1e-6 * max(abs(v), 1e-3)
                env[f"__d{k}"] = v + h
                fp = evaluate(p["tree"], env, p["funcs"], outer)
                env[f"__d{k}"] = v - h
                fm = evaluate(p["tree"], env, p["funcs"], outer)
                env[f"__d{k}"] = v
                grads.append((fp - fm) / (2 * h))
        except (ExprError, OverflowError, ZeroDivisionError) as exc:
            raise e.card.error(f"element {e.name}: {exc}") from None
        factor = p.get("factor", 1.0)
        if factor != 1.0:
            f0 *= factor
            grads = [g * factor for g in grads]
        lin = f0 - sum(g * v for g, v in zip(grads, vals))
        if b["branch"] >= 0:
            # v(n+) - v(n-) - sum g*x = lin
            for (pp, pn), g in zip(b["pos"][0], grads):
                if pp >= 0:
                    data[pp] -= g
                if pn >= 0:
                    data[pn] += g
            rhs[b["branch"]] += lin
        else:
            for (r, sign), row_pos in zip(b["rows"], b["pos"]):
                for (pp, pn), g in zip(row_pos, grads):
                    if pp >= 0:
                        data[pp] += sign * g
                    if pn >= 0:
                        data[pn] -= sign * g
                if r >= 0:
                    rhs[r] -= sign * lin


FAMILY = Family("behavioural", "B", setup, branch, stamp, finish=finish)

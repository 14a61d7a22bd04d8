"""Path enumeration (paths.py) against brute force: on random reconvergent circuits, the N
worst paths to every endpoint are the N worst of all its paths, found by walking every
path backwards with the arc delays, independently of back pointers and deviations."""

from __future__ import annotations

import random

import pytest

from edapipe.timing.graph import HOLD, SETUP
from edapipe.timing.paths import Selection, select
from edapipe.timing.report import format_path, sorted_endpoints
from tests.timing.conftest import DATA


def random_design(seed: int, tmp_path) -> tuple[str, str]:
    rng = random.Random(seed)
    n_in, n_gates = 5, 30
    nets = [f"i{k}" for k in range(n_in)]
    body = []
    for k in range(n_gates):
        cell = rng.choice(["INV", "BUF", "NAND2", "NAND2", "NAND2"])
        y = f"n{k}"
        recent = nets[-8:]   # deep, reconvergent: many paths per endpoint
        if cell == "NAND2":
            a, b = rng.sample(recent, 2)
            body.append(f"  NAND2 g{k} (.A({a}), .B({b}), .Y({y}));")
        else:
            body.append(f"  {cell} g{k} (.A({rng.choice(recent)}), .Y({y}));")
        nets.append(y)
    outs = [f"n{k}" for k in range(n_gates - 3, n_gates)]
    ins = ", ".join(f"i{k}" for k in range(n_in))
    ports = ", ".join(f"o{k}" for k in range(len(outs)))
    text = (f"module top({ins}, {ports});\n  input {ins};\n  output {ports};\n"
            f"  wire {', '.join(f'n{k}' for k in range(n_gates))};\n" + "\n".join(body) + "\n"
            + "\n".join(f"  BUF ob{k} (.A({n}), .Y(o{k}));" for k, n in enumerate(outs))
            + "\nendmodule\n")
    v = tmp_path / f"r{seed}.v"
    v.write_text(text)
    sdc = tmp_path / f"r{seed}.sdc"
    sdc.write_text("create_clock -name c -period 2\n"
                   + "".join(f"set_input_delay {0.05 * k} -clock c i{k}\n" for k in range(n_in))
                   + "set_output_delay 0.1 -clock c [all_outputs]\n")
    return str(v), str(sdc)


def all_paths(an, ep, check) -> list[tuple[float, frozenset]]:
    """Every path to the endpoint (both edges, every launch run) as (slack, its nodes), by
    walking fanin arcs back to the launch points: exponential, fine on 30 gates."""
    g = an.graph
    mm = 0 if check == SETUP else 1
    delay = an.arc_dmax if check == SETUP else an.arc_dmin
    out = []
    for rec in ep.ends:
        if rec[0] != check:
            continue
        run, e0, slack, arrival = rec[1], rec[2], rec[3], rec[4]
        at = an.arrivals(run)[mm]
        arc_on = an.arrivals(run)[4]

        def walk(v, e, acc, nodes):
            starts = 0
            for a in range(int(g.in_start[v]), int(g.in_start[v + 1])):
                for ei in range(2):
                    if arc_on[a] and (int(g.search_mask[a, e]) >> ei) & 1:
                        starts += 1
                        walk(int(g.arc_from[a]), ei, acc + float(delay[a, e, ei]),
                             nodes | {int(g.arc_pin[a]), v})
            if not starts and abs(at[v, e]) < 1e30:   # a launch point of the run
                t = at[v, e] + acc
                out.append((slack + (arrival - t if check == SETUP else t - arrival),
                            frozenset(nodes | {v})))
        walk(g.source(ep.node), e0, 0.0, frozenset({ep.node}))
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("check", [SETUP, HOLD])
def test_enumeration_matches_brute_force(tmp_path, seed, check):
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import StaParams, load

    v, sdc = random_design(seed, tmp_path)
    graph, cons, libs = load(StaParams(v, (str(DATA / "mini.lib"),), sdc, use_cache=False))
    an = analyze(graph, cons, libs, keep_ends=True)
    eps = sorted_endpoints(an, check)
    for k in (1, 3, 8):
        got = select(an, check, Selection(count=1000, per_endpoint=k), eps)
        for ep in eps:
            ours = [p.end.slack for p in got if p.ep.node == ep.node]
            brute = sorted(s for s, _ in all_paths(an, ep, check))[:k]
            assert ours == pytest.approx(brute, abs=1e-15), (seed, ep.name, k)
    # each reported path's own stage times add up to its arrival
    for p in select(an, check, Selection(count=20, per_endpoint=5), eps):
        assert p.steps.steps[-1][5] == pytest.approx(p.end.arrival, abs=1e-15)
        assert "slack (" in format_path(an, p.ep, check, 3, frozenset(), p)


@pytest.mark.parametrize("seed", range(4))
def test_through_filter_matches_brute_force(tmp_path, seed):
    """--through a gate's output: each endpoint's worst slack over the paths through it."""
    from edapipe.timing.exceptions import node_by_name
    from edapipe.timing.pathfilter import PathSpec, filtered
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import StaParams, load

    v, sdc = random_design(seed, tmp_path)
    graph, cons, libs = load(StaParams(v, (str(DATA / "mini.lib"),), sdc, use_cache=False))
    full = analyze(graph, cons, libs, keep_ends=True)
    pin = "g20/Y"
    node = node_by_name(graph, pin)
    picked = analyze(graph, filtered(cons, graph, PathSpec(through=((pin, None),))), libs)
    for check in (SETUP, HOLD):
        worst = {e.name: e.slack[check] for e in picked.endpoints}
        for ep in full.endpoints:
            through = [s for s, nodes in all_paths(full, ep, check) if node in nodes]
            assert worst[ep.name] == pytest.approx(min(through, default=float("inf")),
                                                   abs=1e-15), (seed, ep.name)


def test_enumeration_budget_is_reported(tmp_path, monkeypatch):
    """A deviation budget that runs out is said in the text and the JSON, never silent."""
    from edapipe.timing import paths, report
    from edapipe.timing.search import analyze
    from edapipe.timing.sta import StaParams, load

    v, sdc = random_design(2, tmp_path)
    graph, cons, libs = load(StaParams(v, (str(DATA / "mini.lib"),), sdc, use_cache=False))
    an = analyze(graph, cons, libs, keep_ends=True)
    sel = Selection(count=50, per_endpoint=50)
    full = select(an, SETUP, sel, sorted_endpoints(an, SETUP))
    assert not full.truncated and len(full) == 50
    monkeypatch.setattr(paths, "MAX_DEVIATIONS", 10)
    cut = select(an, SETUP, sel, sorted_endpoints(an, SETUP))
    assert cut.truncated and len(cut) < 50
    assert [p.end.slack for p in cut] == [p.end.slack for p in full[:len(cut)]]
    text = "".join(report.format_check(an, SETUP, "full", sel))
    assert "Path enumeration stopped after 10 deviations" in text
    assert "stopped after 10" in report.dumps(an, None, sel)

"""GraphML: the schema of docs/formats.md, readable by networkx, faithful to the AIG."""

from __future__ import annotations

import io

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.aig.analysis import levels
from edapipe.aig.core import Aig
from edapipe.aig.io import dump, read
from edapipe.aig.io.graphml import dump_graphml, to_networkx
from tests.aig.io.roundtrip import EPFL, ISCAS89, circuit_params, load, random_aigs
from tests.conftest import need


def load_graphml(aig: Aig) -> nx.DiGraph:
    return nx.read_graphml(io.BytesIO(dump_graphml(aig)))


def rebuild_function(g: nx.DiGraph, aig: Aig) -> None:
    """Re-evaluate every node from the graph alone and compare with the AIG's simulation."""
    from edapipe.aig import sim

    rng = np.random.default_rng(3)
    words = rng.integers(0, 2**64 - 1, size=(aig.num_cis, 2), dtype=np.uint64, endpoint=True)
    values = sim.simulate_words(aig, words)
    val = {}
    for node in nx.topological_sort(g.subgraph(n for n, d in g.nodes(data=True)
                                               if d["type"] != "latch")):
        data = g.nodes[node]
        kind = data["type"]
        if kind == "const":
            val[node] = np.zeros(2, dtype=np.uint64)
        elif kind == "input":
            val[node] = words[data["index"]]
        elif kind in ("and", "output"):
            ins = []
            for src, _, e in g.in_edges(node, data=True):
                v = val[src] if g.nodes[src]["type"] != "latch" else \
                    words[aig.num_inputs + g.nodes[src]["index"]]
                ins.append(~v if e["inverted"] else v)
            val[node] = ins[0] & ins[1] if kind == "and" else ins[0]
    for k in range(aig.num_outputs):
        want = sim.literal_words(aig, values, aig.outputs[k:k + 1])[0]
        assert np.array_equal(val[f"o{k}"], want)


def test_schema_and_attributes():
    aig = read(need(ISCAS89 / "s27.bench"))
    g = load_graphml(aig)
    types = [d["type"] for _, d in g.nodes(data=True)]
    assert types.count("input") == aig.num_inputs
    assert types.count("latch") == aig.num_latches
    assert types.count("and") == aig.num_ands
    assert types.count("output") == aig.num_outputs
    assert g.nodes["v1"]["name"] == aig.input_name(0)
    assert g.nodes["o0"]["name"] == aig.output_name(0)
    lev = levels(aig)
    for v in range(aig.first_and_var, aig.num_vars):
        assert g.nodes[f"v{v}"]["level"] == int(lev[v])
        assert g.in_degree(f"v{v}") == 2
    for k in range(aig.num_latches):
        node = f"v{1 + aig.num_inputs + k}"
        assert g.nodes[node]["init"] == 0
        (edge,) = list(g.in_edges(node, data=True))
        assert edge[2]["next"] is True
    assert all(isinstance(e["inverted"], bool) for _, _, e in g.edges(data=True))


def test_the_graph_computes_the_same_function():
    aig = read(need(EPFL / "ctrl.aig"))
    rebuild_function(load_graphml(aig), aig)


def test_to_networkx_matches_the_file():
    aig = read(need(EPFL / "int2float.aig"))
    g = to_networkx(aig)
    h = nx.read_graphml(io.BytesIO(dump(aig, "graphml")))
    assert set(g.nodes) == set(h.nodes) and set(g.edges) == set(h.edges)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_aigs())
def test_random_aigs(aig):
    g = load_graphml(aig)
    assert sum(d["type"] == "and" for _, d in g.nodes(data=True)) == aig.num_ands
    rebuild_function(g, aig)


@pytest.mark.parametrize("path", circuit_params())
def test_benchmarks_export(path):
    aig = load(path)
    g = to_networkx(aig)
    kinds = {}
    for _, d in g.nodes(data=True):
        kinds[d["type"]] = kinds.get(d["type"], 0) + 1
    assert kinds.get("and", 0) == aig.num_ands
    assert kinds.get("output", 0) == aig.num_outputs
    assert kinds.get("latch", 0) == aig.num_latches
    assert g.number_of_edges() == 2 * aig.num_ands + aig.num_outputs + aig.num_latches
    assert dump_graphml(aig).startswith(b"<?xml")

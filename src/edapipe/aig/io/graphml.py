"""GraphML writer (through networkx) for learning-based work; the schema is in docs/formats.md.

One directed graph. Nodes `v<var>` for the constant (if used), every input, latch and AND
node, and `o<k>` for every output. Node attributes: `type` (const, input, latch, and,
output), `name` (the input/latch/output name, "" for ANDs and the constant), `level` (logic
level: 0 for the constant, inputs and latches; an output has its driver's level), `index`
(position among the nodes of its type) and `init` (latches only: 0, 1, or -1 for
uninitialized). Edges go from driver to reader: two fanin edges per AND, one edge into each
output, and one edge from each latch's next-state driver into the latch (`next=True`).
Edge attributes: `inverted` (the fanin is complemented) and `next`.
Read it back with `networkx.read_graphml(path)`.
"""

from __future__ import annotations

import io

from edapipe.aig.core import Aig
from edapipe.aig.io._netlist import refuse_properties


def to_networkx(aig: Aig):
    """The AIG as a networkx.DiGraph with the attributes described in the module docstring."""
    import networkx as nx

    from edapipe.aig.analysis import levels

    lev = levels(aig).tolist()
    g = nx.DiGraph(name=aig.name or "")
    cos = aig.co_literals()
    if bool((cos >> 1 == 0).any()) or bool((aig.fanin1 >> 1 == 0).any()):
        g.add_node("v0", type="const", name="", level=0, index=0)
    for k in range(aig.num_inputs):
        g.add_node(f"v{1 + k}", type="input", name=aig.input_name(k), level=0, index=k)
    base = 1 + aig.num_inputs
    for k, init in enumerate(aig.latch_init.tolist()):
        g.add_node(f"v{base + k}", type="latch", name=aig.latch_name(k), level=0, index=k,
                   init=int(init))
    v = aig.first_and_var
    for k, (a, b) in enumerate(zip(aig.fanin0.tolist(), aig.fanin1.tolist())):
        g.add_node(f"v{v}", type="and", name="", level=lev[v], index=k)
        g.add_edge(f"v{a >> 1}", f"v{v}", inverted=bool(a & 1), next=False)
        g.add_edge(f"v{b >> 1}", f"v{v}", inverted=bool(b & 1), next=False)
        v += 1
    for k, lit in enumerate(aig.outputs.tolist()):
        g.add_node(f"o{k}", type="output", name=aig.output_name(k), level=lev[lit >> 1],
                   index=k)
        g.add_edge(f"v{lit >> 1}", f"o{k}", inverted=bool(lit & 1), next=False)
    for k, lit in enumerate(aig.latch_next.tolist()):
        g.add_edge(f"v{lit >> 1}", f"v{base + k}", inverted=bool(lit & 1), next=True)
    return g


def dump_graphml(aig: Aig) -> bytes:
    refuse_properties(aig, "GraphML")
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(to_networkx(aig), buf, encoding="utf-8")
    return buf.getvalue()

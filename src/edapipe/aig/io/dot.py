"""Graphviz DOT writer: a picture of a small AIG (`dot -Tsvg circuit.dot > circuit.svg`).

Inputs are triangles at the top, outputs inverted triangles at the bottom, latches boxes
(labelled with the reset value), AND nodes circles labelled with their variable number, and
the constant a square when used. A solid edge is a plain fanin, a dashed edge a complemented
one; the edge from a latch's next-state driver to the latch is drawn without constraining
the layout. Graphviz copes with a few thousand nodes; the writer does not refuse larger
AIGs, but the picture will not be useful.
"""

from __future__ import annotations

from edapipe.aig.core import LATCH_INIT_X, Aig
from edapipe.aig.io._netlist import refuse_properties


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def dump_dot(aig: Aig) -> bytes:
    refuse_properties(aig, "DOT")
    i, n_lat = aig.num_inputs, aig.num_latches
    title = aig.name or "aig"
    summary = (f"{title}: {i} inputs, {aig.num_outputs} outputs, {n_lat} latches, "
               f"{aig.num_ands} ANDs")
    out = [f"digraph {_quote(title)} {{",
           "  rankdir=TB;",
           "  node [shape=circle, fontsize=10, width=0.3, fixedsize=false];",
           f"  label={_quote(summary)};"]
    cos = aig.co_literals()
    uses_const = bool((cos >> 1 == 0).any()) or bool((aig.fanin1 >> 1 == 0).any())
    if uses_const:
        out.append('  v0 [shape=square, label="0"];')
    if i:
        out.append("  { rank=source;")
        out += [f"    v{1 + k} [shape=triangle, label={_quote(aig.input_name(k))}];"
                for k in range(i)]
        out.append("  }")
    init_text = {0: "0", 1: "1", LATCH_INIT_X: "x"}
    for k, init in enumerate(aig.latch_init.tolist()):
        text = f"{aig.latch_name(k)} (init {init_text[init]})"
        out.append(f"  v{1 + i + k} [shape=box, label={_quote(text)}];")

    def edge(lit: int, dst: str, extra: str = "") -> str:
        attrs = ["style=dashed"] if lit & 1 else []
        if extra:
            attrs.append(extra)
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        return f"  v{lit >> 1} -> {dst}{tail};"

    v = aig.first_and_var
    for a, b in zip(aig.fanin0.tolist(), aig.fanin1.tolist()):
        out.append(f'  v{v} [label="{v}"];')
        out.append(edge(a, f"v{v}"))
        out.append(edge(b, f"v{v}"))
        v += 1
    if aig.num_outputs:
        out.append("  { rank=sink;")
        out += [f"    o{k} [shape=invtriangle, label={_quote(aig.output_name(k))}];"
                for k in range(aig.num_outputs)]
        out.append("  }")
    out += [edge(lit, f"o{k}") for k, lit in enumerate(aig.outputs.tolist())]
    out += [edge(lit, f"v{1 + i + k}", "constraint=false")
            for k, lit in enumerate(aig.latch_next.tolist())]
    out.append("}")
    return ("\n".join(out) + "\n").encode("utf-8")

"""Explain a singular MNA matrix in circuit terms: a node without a DC path to ground, or a
loop of voltage sources and inductors."""

from __future__ import annotations


class _UF:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, a):
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a, b) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.p[ra] = rb
        return True


def floating_nodes(circ) -> list[str]:
    """Nodes with no DC path to ground (capacitors, current sources and MOS gates do not
    conduct DC)."""
    uf = _UF(len(circ.nodes))
    for e in circ.elements:
        n = e.nodes
        if e.letter in "RVLDEH":
            uf.union(n[0], n[1])
        elif e.letter == "Q":
            uf.union(n[0], n[1])
            uf.union(n[1], n[2])
        elif e.letter == "M":
            uf.union(n[0], n[2])
            uf.union(n[2], n[3])
    root = uf.find(0)
    return [circ.nodes[i] for i in range(1, len(circ.nodes)) if uf.find(i) != root]


def voltage_loop(circ) -> str | None:
    """The first V/L/E/H element that closes a loop of such elements, if any."""
    uf = _UF(len(circ.nodes))
    for e in circ.elements:
        if e.letter in "VLEH" and not uf.union(e.nodes[0], e.nodes[1]):
            return e.name
    return None


def singular_reason(sysm) -> str:
    circ = sysm.circuit
    floating = floating_nodes(circ)
    if floating:
        more = f" (and {len(floating) - 1} more)" if len(floating) > 1 else ""
        return f"node '{floating[0]}' has no DC path to ground{more}"
    loop = voltage_loop(circ)
    if loop:
        return f"element {loop} closes a loop of voltage sources or inductors"
    return "check for floating nodes or ideal sources in conflict"


def singular_card(sysm):
    """The card to blame for a singular matrix: the first element at the floating node (or
    reading it, as a B source's v(node) does), or the element closing a voltage loop."""
    circ = sysm.circuit
    floating = floating_nodes(circ)
    if floating:
        idx = circ.nodes.index(floating[0])
        for e in circ.elements:
            if idx in e.nodes:
                return e.card
        for e in circ.elements:
            if e.letter == "B" and any(d[0] == "v" and idx in d[1:]
                                       for d in e.params.get("deps", ())):
                return e.card
        return None
    loop = voltage_loop(circ)
    if loop:
        for e in circ.elements:
            if e.name == loop:
                return e.card
    return None

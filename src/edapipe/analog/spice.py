"""One call from a netlist to results: parse, flatten, run the requested analyses."""

from __future__ import annotations

from dataclasses import dataclass, field

from edapipe.analog.analyses import AnalysisSpec, Result, Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import Circuit, flatten
from edapipe.analog.parser import Card, parse_deck, read_deck
from edapipe.errors import InputError


@dataclass
class Run:
    circuit: Circuit
    results: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_circuit(path: str | None = None, text: str | None = None) -> Circuit:
    deck = parse_deck(text, path or "<stdin>") if text is not None else read_deck(path)
    return flatten(deck)


def analysis_from_text(kind: str, text: str) -> AnalysisSpec:
    """Build an analysis from a command-line string, e.g. ("tran", "1n 100n")."""
    card = Card(f".{kind} {text}", "<command line>", 0)
    return parse_analysis(card)


def simulate(circ: Circuit, specs: list[AnalysisSpec] | None = None, progress=None) -> Run:
    """Run `specs` (default: the analyses in the deck, in deck order)."""
    params = getattr(circ, "params", {})
    if specs is None:
        specs = [parse_analysis(c, params) for c in circ.analyses]
    if not specs:
        raise InputError("the netlist has no analysis (.op, .dc, .ac, .tran); give one with "
                         "--op, --dc, --ac or --tran", file=circ.path)
    run = Run(circ, warnings=list(circ.warnings))
    for spec in specs:
        # a fresh simulator per analysis: device states do not leak between analyses
        sim = Simulator(circ)
        run.results.append(run_analysis(sim, spec, progress if spec.kind == "tran" else None))
    return run

"""One call from a netlist to results: parse, flatten, run the requested analyses."""

from __future__ import annotations

from dataclasses import dataclass, field

from edapipe.analog.analyses import AnalysisSpec, Result, Simulator, parse_analysis, run_analysis
from edapipe.analog.circuit import Circuit, expand_sources, flatten
from edapipe.analog.fourier import fourier_tables, parse_fours as _fours
from edapipe.analog.measure import run_measures
from edapipe.analog.parser import Card, parse_deck, read_deck
from edapipe.errors import InputError


@dataclass
class Run:
    circuit: Circuit
    results: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # per result (same order): the .meas outcomes of that analysis, and the .four tables
    measures: list[list] = field(default_factory=list)
    fouriers: list[list] = field(default_factory=list)


def load_circuit(path: str | None = None, text: str | None = None) -> Circuit:
    deck = parse_deck(text, path or "<stdin>") if text is not None else read_deck(path)
    return flatten(deck)


def analysis_from_text(kind: str, text: str) -> AnalysisSpec:
    """Build an analysis from a command-line string, e.g. ("tran", "1n 100n")."""
    card = Card(f".{kind} {text}", "<command line>", 0)
    return _spec(card)


def _spec(card: Card, params: dict | None = None) -> AnalysisSpec:
    """The analysis of a card; `.pz` is read by analog/pz.py."""
    if card.text.split(None, 1)[0].lower() == ".pz":
        from edapipe.analog.pz import parse_pz

        return AnalysisSpec("pz", parse_pz(card), card)
    return parse_analysis(card, params)


def _run(sim: Simulator, spec: AnalysisSpec, progress) -> Result:
    if spec.kind == "pz":
        from edapipe.analog.pz import run_pz

        sim.card = spec.card          # errors and limits name the analysis card
        try:
            return run_pz(sim, spec.args, spec.card)
        except ZeroDivisionError:
            raise sim.device_failure() from None
    return run_analysis(sim, spec, progress if spec.kind == "tran" else None)


def simulate(circ: Circuit, specs: list[AnalysisSpec] | None = None, progress=None) -> Run:
    """Run `specs` (default: the analyses in the deck, in deck order)."""
    params = getattr(circ, "params", {})
    if specs is None:
        specs = [_spec(c, params) for c in circ.analyses]
    if not specs:
        raise InputError("the netlist has no analysis (.op, .dc, .ac, .tran); give one with "
                         "--op, --dc, --ac or --tran", file=circ.path)
    run = Run(circ, warnings=list(circ.warnings))
    deck = getattr(circ, "deck", None)
    funcs = getattr(circ, "funcs", {})
    measures = _measures(deck, params, funcs, specs, run.warnings)
    fours = _fours(deck, params, funcs) if deck is not None else []
    measured: dict = {}
    for spec in specs:
        if spec.kind == "tran":
            expand_sources(circ, spec.args["tstop"])
        # a fresh simulator per analysis: device states do not leak between analyses
        sim = Simulator(circ)
        res = _run(sim, spec, progress)
        run.results.append(res)
        if spec.kind == "noise" and spec.args.get("summary") and spec.card is not None:
            run.warnings.append(spec.card.warning(".noise points per summary: the "
                                                  "contribution of each resistor is not "
                                                  "reported (the totals are)"))
        outcomes, warns = run_measures(measures, res, params, funcs, measured)
        run.measures.append(outcomes)
        run.warnings.extend(warns)
        run.fouriers.append(fourier_tables(fours, res) if res.kind == "tran" else [])
    return run


def _measures(deck, params, funcs, specs, warnings) -> list:
    """The deck's .meas cards, read (a card that cannot be read is an error before any
    analysis runs); one whose analysis does not run is a warning."""
    from edapipe.analog.measure import parse_measure

    if deck is None:
        return []
    out = [parse_measure(card, params, funcs) for card in deck.measures]
    kinds = {s.kind for s in specs}
    for m in out:
        if m.analysis not in ("tran", "ac", "dc"):
            warnings.append(m.card.warning(f".meas {m.analysis} {m.name}: ngspice measures "
                                           f"tran, ac and dc analyses only: not measured"))
        elif m.analysis not in kinds:
            warnings.append(m.card.warning(f".meas {m.analysis} {m.name}: no .{m.analysis} "
                                           f"analysis runs: not measured"))
    return out

"""Running optimization scripts: "b; rw -z; rf" or a named script such as resyn2."""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, field

from edapipe.aig.analysis import depth
from edapipe.aig.core import Aig
from edapipe.errors import UsageError
from edapipe.synth import passes


@dataclass(frozen=True)
class Step:
    """One pass of a script, resolved: the pass, its params, and the words that named it."""

    text: str
    spec: passes.PassSpec
    params: object


@dataclass
class StepResult:
    text: str
    ands: int
    levels: int
    seconds: float
    stats: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"pass": self.text, "ands": self.ands, "levels": self.levels,
                "seconds": round(self.seconds, 6), "stats": self.stats}


def expand(script: str, _depth: int = 0) -> list[Step]:
    """Resolve a script into steps; named scripts expand in place, flags are checked."""
    if _depth > 8:
        raise UsageError("scripts nest too deeply")
    steps: list[Step] = []
    for part in script.replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            words = shlex.split(part)
        except ValueError as exc:
            raise UsageError(f"cannot parse {part!r}: {exc}") from None
        name, args = words[0], words[1:]
        if name in passes.SCRIPTS:
            if args:
                raise UsageError(f"script {name!r} takes no options")
            steps.extend(expand(passes.SCRIPTS[name], _depth + 1))
            continue
        spec, preset = passes.lookup(name)
        params = passes.parse_params(spec, list(preset) + args)
        steps.append(Step(part, spec, params))
    if not steps:
        raise UsageError("empty script")
    return steps


def run_script(aig: Aig, script: str, on_step=None) -> tuple[Aig, list[StepResult]]:
    """Run every step in order; `on_step(index, total, result)` is told after each."""
    steps = expand(script)
    results = []
    for k, step in enumerate(steps):
        t0 = time.perf_counter()
        aig, stats = passes.load(step.spec).run(aig, step.params)
        res = StepResult(step.text, aig.num_ands, depth(aig), time.perf_counter() - t0,
                         stats.as_dict() if hasattr(stats, "as_dict") else {})
        results.append(res)
        if on_step is not None:
            on_step(k, len(steps), res)
    return aig, results

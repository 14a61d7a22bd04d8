"""The one registry of optimization passes and scripts (fed to `edapipe opt` and its help).

A pass module has:
    Params  frozen dataclass; each field documented, with metadata {"flag": "-K", "help": ...}
            (a bool flag toggles its default, as ABC's flags do)
    Stats   dataclass with report() -> str and as_dict() -> dict
    run(aig, params=Params()) -> (Aig, Stats)
Short names follow ABC (b, rw, rwz, rf, rfz, rs, st, fraig); an alias may carry preset flags.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass

from edapipe.errors import UsageError


@dataclass(frozen=True)
class PassSpec:
    name: str
    module: str
    summary: str
    aliases: tuple[str, ...] = ()


PASSES: tuple[PassSpec, ...] = (
    PassSpec("strash", "edapipe.synth.strash", "structural hashing and cleanup", ("st",)),
    PassSpec("balance", "edapipe.synth.balance", "depth-optimal AND-tree balancing", ("b",)),
    PassSpec("rewrite", "edapipe.synth.rewrite", "4-input cut rewriting with NPN structures",
             ("rw",)),
    PassSpec("refactor", "edapipe.synth.refactor", "cut refactoring by factored forms", ("rf",)),
    PassSpec("resub", "edapipe.synth.resub", "windowed resubstitution", ("rs",)),
    PassSpec("fraig", "edapipe.verify.fraig", "SAT sweeping: merge equivalent nodes", ()),
    PassSpec("dch", "edapipe.synth.dch",
             "structural choices of script snapshots (SAT-proven); writes them merged", ()),
)

# Aliases that carry flags, as ABC's abc.rc does (rwz = rewrite -z).
PRESETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rwz": ("rewrite", ("-z",)),
    "rfz": ("refactor", ("-z",)),
}

SCRIPTS: dict[str, str] = {
    "resyn": "b; rw; rwz; b; rwz; b",
    "resyn2": "b; rw; rf; b; rw; rwz; b; rfz; rwz; b",
    "resyn2a": "b; rw; b; rw; rwz; b; rwz; b",
    "resyn3": "b; rs; rs -K 6; b; rsz; rsz -K 6; b; rsz -K 5; b",
    "compress": "b -l; rw -l; rwz -l; b -l; rwz -l; b -l",
    "compress2": "b -l; rw -l; rf -l; b -l; rw -l; rwz -l; b -l; rfz -l; rwz -l; b -l",
    "resyn2rs": "b; rs -K 6; rw; rs -K 6 -N 2; rf; rs -K 8; b; rs -K 8 -N 2; rw; rs -K 10; "
                "rwz; rs -K 10 -N 2; b; rs -K 12; rfz; rs -K 12 -N 2; rwz; b",
    "compress2rs": "b -l; rs -K 6 -l; rw -l; rs -K 6 -N 2 -l; rf -l; rs -K 8 -l; b -l; "
                   "rs -K 8 -N 2 -l; rw -l; rs -K 10 -l; rwz -l; rs -K 10 -N 2 -l; b -l; "
                   "rs -K 12 -l; rfz -l; rs -K 12 -N 2 -l; rwz -l; b -l",
    "dc2": "b -l; rw -l; rf -l; b -l; rw -l; rwz -l; b -l; rfz -l; rwz -l; b -l",
}
PRESETS["rsz"] = ("resub", ("-z",))

_BY_NAME = {name: spec for spec in PASSES for name in (spec.name, *spec.aliases)}


def lookup(name: str) -> tuple[PassSpec, tuple[str, ...]]:
    """The pass a command word names, with the flags its alias presets."""
    if name in PRESETS:
        base, flags = PRESETS[name]
        return _BY_NAME[base], flags
    spec = _BY_NAME.get(name)
    if spec is None:
        known = sorted(set(_BY_NAME) | set(PRESETS) | set(SCRIPTS))
        raise UsageError(f"unknown pass or script {name!r}; known: {', '.join(known)}")
    return spec, ()


def load(spec: PassSpec):
    return importlib.import_module(spec.module)


def parse_params(spec: PassSpec, args: list[str]):
    """Params for a pass from ABC-style flags (`-K 8`, `-z` toggles)."""
    module = load(spec)
    cls = module.Params
    by_flag = {f.metadata["flag"]: f for f in dataclasses.fields(cls) if "flag" in f.metadata}
    defaults = cls()
    values: dict[str, object] = {}
    k = 0
    while k < len(args):
        flag = args[k]
        field = by_flag.get(flag)
        if field is None:
            usage = ", ".join(f"{fl} ({f.metadata.get('help', f.name)})"
                              for fl, f in sorted(by_flag.items()))
            raise UsageError(f"{spec.name}: unknown option {flag!r}; options: {usage or 'none'}")
        if field.type in ("bool", bool):
            values[field.name] = not values.get(field.name, getattr(defaults, field.name))
            k += 1
            continue
        if k + 1 >= len(args):
            raise UsageError(f"{spec.name}: option {flag} needs a value")
        raw = args[k + 1]
        conv = float if field.type in ("float", float) else int
        try:
            values[field.name] = conv(raw)
        except ValueError:
            raise UsageError(f"{spec.name}: option {flag} takes a number, not {raw!r}") from None
        k += 2
    try:
        return dataclasses.replace(defaults, **values)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{spec.name}: {exc}") from None


def pass_help() -> str:
    """Lines for --help: passes with their short names, then scripts."""
    lines = ["Passes (ABC short names accepted):"]
    for spec in PASSES:
        names = ", ".join((spec.name, *spec.aliases))
        lines.append(f"  {names:<16} {spec.summary}")
    for alias, (base, flags) in sorted(PRESETS.items()):
        lines.append(f"  {alias:<16} {base} {' '.join(flags)}")
    lines.append("Scripts:")
    for name, text in SCRIPTS.items():
        lines.append(f"  {name:<12} {text}")
    return "\n".join(lines)

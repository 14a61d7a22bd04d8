"""Path reports over several corners (`--corner`), as OpenSTA's `report_checks` after
`define_corners`: the path ends of every corner compete in one list per path group, so a
group's -n worst paths (at most --endpoint-count per endpoint pin) may come from different
corners, each marked `Corner: NAME`; `--report-corner NAME` keeps one corner's paths
(`report_checks -corner NAME`).

Each corner's own selection (paths.select_groups) holds every path the merged one can
take: a path among the merged best is, within its corner, preceded by no more paths per
endpoint pin and in all than in the merge, so it is within that corner's -n best.
"""

from __future__ import annotations

from dataclasses import dataclass

from edapipe.timing import drc
from edapipe.timing.paths import Path, Selection, group_order, select_groups
from edapipe.timing.report import (format_endpoints, format_path, truncation_note,
                                   format_summary, sorted_endpoints)
from edapipe.timing.search import Analysis


@dataclass(repr=False, eq=False)
class CornerRun:
    """One corner's analyses: `an` of the whole design (summary, design rules, exit
    codes), `shown` the one paths come from (a --from/--through/--to analysis, or an)."""

    name: str
    an: Analysis
    shown: Analysis
    rules: dict


@dataclass(repr=False, eq=False)
class MergedGroup:
    name: str
    paths: list[tuple[CornerRun, Path]]
    truncated: bool


def merged_groups(runs: list[CornerRun], check: int, sel: Selection) -> list[MergedGroup]:
    """Every path group's `sel.count` worst paths over the corners, at most
    `sel.per_endpoint` per endpoint pin; equal slacks in corner order."""
    pool: dict[str, list] = {}
    cut: dict[str, bool] = {}
    for k, run in enumerate(runs):
        groups = select_groups(run.shown, check, sel, sorted_endpoints(run.shown, check))
        for name, chosen in groups:
            pool.setdefault(name, []).extend((p.end.slack, k, i, p)
                                             for i, p in enumerate(chosen))
            cut[name] = cut.get(name, False) or chosen.truncated
    out = []
    for name in sorted(pool, key=lambda n: group_order(runs[0].shown.sdc, n)):
        kept: list[tuple[CornerRun, Path]] = []
        per_pin: dict[str, int] = {}
        for _, k, _, p in sorted(pool[name], key=lambda x: x[:3]):
            n = per_pin.get(p.ep.name, 0)
            if n < sel.per_endpoint and len(kept) < sel.count:
                kept.append((runs[k], p))
                per_pin[p.ep.name] = n + 1
        out.append(MergedGroup(name, kept, cut[name]))
    return out


def format_corners(runs: list[CornerRun], checks, sel: Selection, fmt: str,
                   n_endpoints: int, digits: int, show_drc: bool,
                   fields: frozenset[str] = frozenset(),
                   paths_of: list[CornerRun] | None = None) -> str:
    """Each corner's summary (and design rules), then per check the merged path groups
    (full paths or `--format end` tables) and each corner's `--endpoints` list, over the
    corners `paths_of` (default all)."""
    paths_of = runs if paths_of is None else paths_of
    parts = []
    for run in runs:
        parts.append(f"corner {run.name}\n" + format_summary(run.an, digits)
                     + drc.format_summary(run.rules, digits))
        if show_drc:
            parts.extend("\n" + drc.format_checks(c, digits) for c in run.rules.values())
    for check in checks:
        if fmt in ("full", "end") and sel.count:
            parts += _format_groups(paths_of, check, sel, fmt, digits, fields)
        for run in paths_of if n_endpoints else ():
            parts.append(f"\ncorner {run.name}: "
                         + format_endpoints(run.shown, check, n_endpoints, digits))
    return "".join(parts)


def _format_groups(runs, check, sel, fmt, digits, fields) -> list[str]:
    out = []
    groups = merged_groups(runs, check, sel)
    for g in groups:
        if fmt == "end":
            out.append("\n" + format_endpoints(runs[0].shown, check, None, digits,
                                               [p for _, p in g.paths], g.name))
        else:
            out += ["\n" + format_path(run.shown, p.ep, check, digits, fields, p, run.name)
                    for run, p in g.paths]
        if g.truncated:
            out.append("\n" + truncation_note() + ".\n")
    return out or ["\nNo paths found.\n"]

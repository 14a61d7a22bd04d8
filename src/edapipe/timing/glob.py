"""Wildcard matching for SDC object queries (`get_ports a*`, `get_pins u1/?`), in linear time.

`*` matches any run of characters (also none), `?` exactly one, every other character
itself; the whole name must match (as OpenSTA's pattern matching without -regexp).

Not a regular expression once there are two stars: turning each `*` into `.*` made Python's
backtracking engine take seconds for 16 stars and never finish for 5000. (A pattern with at
most one star is still compiled to one, which is safe and fast.) Here the pattern is split at
its stars into literal segments (which may hold `?`); the first must match at the start, the
last at the end, and each one between at its leftmost place after the previous one. Leftmost
is always right for globs: a later place leaves less room for the segments after it. Each
segment search is str.find when it holds no `?`, so a match costs O(len(name) *
len(pattern)) at worst and usually far less; a pattern whose literal characters outnumber
the name's is refused in O(1).
"""

from __future__ import annotations

import re
from typing import Callable


def _segment_at(seg: str, name: str, pos: int) -> bool:
    """Does `seg` (literal characters and `?`) match name at pos?"""
    for k, c in enumerate(seg):
        if c != "?" and name[pos + k] != c:
            return False
    return True


def _find(seg: str, name: str, start: int, stop: int) -> int:
    """Leftmost p in [start, stop - len(seg)] where seg matches name[p:], or -1."""
    if "?" not in seg:
        return name.find(seg, start, stop)
    # anchor on the longest literal run of the segment, then check the rest around it
    runs = [r for r in seg.split("?") if r]
    if not runs:
        return start if stop - start >= len(seg) else -1
    anchor = max(runs, key=len)
    shift = seg.index(anchor)        # where the anchor run sits inside the segment
    p = start + shift
    last = stop - len(seg) + shift
    while p <= last:
        p = name.find(anchor, p, last + len(anchor))
        if p < 0:
            return -1
        if _segment_at(seg, name, p - shift):
            return p - shift
        p += 1
    return -1


def compile_glob(pattern: str, nocase: bool = False) -> Callable[[str], bool]:
    """A predicate name -> bool for `pattern` (prepared once, used on many names)."""
    if nocase:
        folded = compile_glob(pattern.casefold())
        return lambda name: folded(name.casefold())
    segments = pattern.split("*")
    if len(segments) <= 2:
        # at most one star: a regular expression is safe here (one `.*` backtracks over one
        # name at most, O(len(name) * len(pattern))) and runs in C, which matters when a
        # design has 10^5 names to try; two or more stars are where backtracking explodes
        rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        return re.compile(rx + r"\Z", re.DOTALL).match  # type: ignore[return-value]
    first, last = segments[0], segments[-1]
    middle = [s for s in segments[1:-1] if s]
    needed = len(first) + len(last) + sum(map(len, middle))

    def match(name: str) -> bool:
        n = len(name)
        if n < needed:
            return False
        if not _segment_at(first, name, 0) or not _segment_at(last, name, n - len(last)):
            return False
        pos, stop = len(first), n - len(last)
        for seg in middle:
            p = _find(seg, name, pos, stop)
            if p < 0:
                return False
            pos = p + len(seg)
        return True

    return match


def glob_match(pattern: str, name: str, nocase: bool = False) -> bool:
    """Does the whole of `name` match the wildcard `pattern` (`*`, `?`)?"""
    return bool(compile_glob(pattern, nocase)(name))

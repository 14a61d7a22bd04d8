"""Splitting a stage script into stages: words with shell quoting, ';' or a new line between.

    read x.v; opt resyn2; cec x.v
    write 'out dir/x.blif'          # a comment

Quotes and backslashes work as in a POSIX shell (`opt 'b; rw; rf'` keeps its ';'), '#' at
the start of a word starts a comment. Every stage keeps its line and column so errors in a
script file are located (file:line:column). Placeholders `{input}`, `{stem}`, `{name}` and
`{dir}` in words are filled per input by `batch` (substitute).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from edapipe.errors import InputError

PLACEHOLDER = re.compile(r"\{(input|stem|name|dir)\}")


@dataclass(frozen=True)
class RawStage:
    """One stage as written: its words, and where it starts."""

    words: tuple[str, ...]
    line: int
    column: int

    @property
    def text(self) -> str:
        import shlex

        return " ".join(shlex.quote(w) for w in self.words)


def split(text: str, filename: str = "<script>") -> list[RawStage]:
    """The stages of a script; unbalanced quotes are located input errors."""
    stages: list[RawStage] = []
    words: list[str] = []
    start = None                        # (line, column) where the current stage starts
    word: list[str] | None = None       # None: between words
    quote = None                        # the open quote character, with where it opened
    line, col = 1, 0
    k, n = 0, len(text)

    def end_stage():
        nonlocal words, start
        if words:
            stages.append(RawStage(tuple(words), *start))
        words, start = [], None

    while k < n:
        ch = text[k]
        k += 1
        col += 1
        if quote is not None:
            if ch == quote[0]:
                quote = None
            elif ch == "\\" and quote[0] == '"' and k < n and text[k] in '"\\$`':
                word.append(text[k])
                k += 1
                col += 1
            else:
                word.append(ch)
            if ch == "\n":
                line, col = line + 1, 0
            continue
        if ch in " \t\r\n;#" and not (ch == "#" and word is not None):
            if word is not None:
                words.append("".join(word))
                word = None
            if ch == "#":                           # a comment runs to the end of the line
                nl = text.find("\n", k)
                k, col = (n, col) if nl < 0 else (nl, col + nl - k)
            elif ch in ";\n":
                end_stage()
            if ch == "\n":
                line, col = line + 1, 0
            continue
        if ch == "\\" and text.startswith("\n", k):     # a line continuation: removed
            k, line, col = k + 1, line + 1, 0
            continue
        if word is None:
            word = []
            if start is None:
                start = (line, col)
        if ch in "'\"":
            quote = (ch, line, col)
        elif ch == "\\" and k < n:
            word.append(text[k])
            col += 1
            k += 1
        else:
            word.append(ch)
    if quote is not None:
        raise InputError(f"unclosed {quote[0]} quote", filename, quote[1], quote[2])
    if word is not None:
        words.append("".join(word))
    end_stage()
    return stages


def substitute(stages: list[RawStage], path: str) -> list[RawStage]:
    """The stages with {input}, {stem}, {name} and {dir} filled for one input file."""
    base = os.path.basename(path)
    values = {"input": path, "name": base, "stem": base.split(".")[0] or base,
              "dir": os.path.dirname(path) or "."}
    return [RawStage(tuple(PLACEHOLDER.sub(lambda m: values[m.group(1)], w) for w in s.words),
                     s.line, s.column) for s in stages]


def has_placeholder(stages: list[RawStage]) -> bool:
    return any(PLACEHOLDER.search(w) for s in stages for w in s.words)

"""`$readmemh` / `$readmemb` data files (IEEE 1800-2017 21.4), read at elaboration.

A data file is white-space separated words in hex or binary (`_` ignored, x/z digits are
unknown bits), `@addr` address marks in hex, and `//` or `/* */` comments. The file is found
next to the source file that names it, then in the -I folders, then in the working folder
(Yosys looks in the working folder and the source's folder; iverilog in the working folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from edapipe.errors import InputError
from edapipe.util.files import read_bytes

_HEX = "0123456789abcdefABCDEF"
_UNKNOWN = "xXzZ?"


@dataclass(frozen=True)
class Word:
    """One data word: `bits` LSB first, None for an unknown (x/z) bit."""
    bits: tuple
    line: int
    column: int


@dataclass(frozen=True)
class Address:
    value: int
    line: int
    column: int


def find_file(name: str, source_file: str | None, include_dirs) -> str:
    """The path of a data file named in a source, or an InputError naming where we looked."""
    if os.path.isabs(name):
        return name
    folders = []
    if source_file and not source_file.startswith("<"):
        folders.append(os.path.dirname(os.path.abspath(source_file)))
    folders.extend(str(d) for d in include_dirs)
    folders.append(os.getcwd())
    seen = []
    for folder in folders:
        if folder in seen:
            continue
        seen.append(folder)
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise InputError(f"memory data file '{name}' not found (looked in {', '.join(seen)})")


def _tokens(text: str, path: str):
    """(token, line, column) for every word and address mark, comments skipped."""
    i, n, line, start = 0, len(text), 1, 0
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            start = i + 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise InputError("unterminated /* comment", file=path, line=line,
                                 column=i - start + 1)
            line += text.count("\n", i, j)
            k = text.rfind("\n", i, j)
            if k >= 0:
                start = k + 1
            i = j + 2
        else:
            j = i
            while j < n and not text[j].isspace() and not text.startswith("//", j) \
                    and not text.startswith("/*", j):
                j += 1
            yield text[i:j], line, i - start + 1
            i = j


def _digits_to_bits(digits: str, radix: int, path: str, line: int, col: int) -> tuple:
    per = 4 if radix == 16 else 1
    valid = _HEX if radix == 16 else "01"
    bits = []
    for ch in reversed(digits):
        if ch == "_":
            continue
        if ch in _UNKNOWN:
            bits.extend([None] * per)
        elif ch in valid:
            v = int(ch, 16)
            bits.extend((v >> k) & 1 for k in range(per))
        else:
            kind = "hex" if radix == 16 else "binary"
            raise InputError(f"'{digits[:40]}' is not a {kind} word (digit '{ch}')",
                             file=path, line=line, column=col)
    if not bits:
        raise InputError(f"'{digits[:40]}' is not a data word", file=path, line=line, column=col)
    return tuple(bits)


def parse(text: str, path: str, radix: int, max_words: int) -> list:
    """The words and address marks of a data file, in order.

    `max_words` bounds the work: a file with more words than the memory can hold past its
    last address mark is cut off there by the caller, so reading further is pointless.
    """
    out = []
    words = 0
    for tok, line, col in _tokens(text, path):
        if tok.startswith("@"):
            digits = tok[1:].replace("_", "")
            if not digits or any(ch not in _HEX for ch in digits) or len(digits) > 16:
                raise InputError(f"'{tok[:40]}' is not an address (@ and hex digits)",
                                 file=path, line=line, column=col)
            out.append(Address(int(digits, 16), line, col))
            continue
        out.append(Word(_digits_to_bits(tok, radix, path, line, col), line, col))
        words += 1
        if words > max_words:
            break
    return out


def load(name: str, source_file: str | None, include_dirs, radix: int, max_words: int):
    """(path, items) of a data file: found, read within the input budget, and parsed."""
    path = find_file(name, source_file, include_dirs)
    data = read_bytes(path, regular_only=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return path, parse(text, path, radix, max_words)

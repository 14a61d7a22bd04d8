"""Read an ngspice-dialect netlist into a Deck: cards grouped into subcircuit scopes.

This layer knows about lines, not devices: title line, `+` continuations, `*` / `;` / `$`
comments, `.include` and `.lib file section` (relative to the including file, with loop
detection), `.control` blocks (skipped with a warning) and `.end`. Each card keeps its file and
line so later errors can name them. Values are not evaluated here (see circuit.py).

Included files are read as inputs are everywhere (util.files.read_bytes): only regular files
(`.include /dev/zero` is refused), nested at most MAX_INCLUDE_DEPTH deep, all together within
the input budget (EDAPIPE_MAX_INPUT_MB). Messages about a card quote at most a short piece of
it, and of a card from an included file only a short token: an included file that is not a
netlist (`.include /etc/shadow`) must not end up on standard error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from edapipe.errors import InputError, ResourceLimit, excerpt

MAX_INCLUDE_DEPTH = 64      # .include / .lib files nested in one another
QUOTE_LIMIT = 100           # characters of one word of a card quoted in a message
QUOTE_LIMIT_INCLUDED = 20   # ... of a card from an included file


def clip_words(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` with every run of non-blanks longer than `limit` cut to `limit` characters."""
    if len(text) <= limit:
        return text
    return re.sub(r"\S{%d,}" % (limit + 1), lambda m: excerpt(m.group(0), limit), text)


class Warnings(list):
    """A list of warnings that keeps the first MAX (a netlist warning a million times, once
    per subcircuit instance, must not become a million lines of standard error)."""

    MAX = 100

    def append(self, text: str) -> None:
        if len(self) < self.MAX:
            super().append(text)
        elif len(self) == self.MAX:
            super().append(f"more warnings left out (only the first {self.MAX} are shown)")


@dataclass
class Card:
    """One logical line (continuations joined) and where it came from."""

    text: str
    file: str
    line: int
    included: bool = False      # from an .include / .lib file, not the deck itself

    def quote(self, text: str) -> str:
        """A piece of this card (or of any input) as a message may quote it."""
        return excerpt(text, QUOTE_LIMIT_INCLUDED if self.included else 60)

    def error(self, reason: str) -> InputError:
        # the reason quotes pieces of the card: none of them may be long (a 5 MB line, or
        # the first line of a file that is not a netlist)
        limit = QUOTE_LIMIT_INCLUDED if self.included else QUOTE_LIMIT
        return InputError(clip_words(reason, limit), file=self.file, line=self.line)

    def warning(self, text: str) -> str:
        limit = QUOTE_LIMIT_INCLUDED if self.included else QUOTE_LIMIT
        return f"{self.file}:{self.line}: {clip_words(text, limit)}"


@dataclass
class Scope:
    """The top level or one `.subckt` definition."""

    name: str
    ports: list[str] = field(default_factory=list)
    defaults: list[tuple[str, str]] = field(default_factory=list)  # subckt params, unevaluated
    elements: list[Card] = field(default_factory=list)
    params: list[tuple[str, str, Card]] = field(default_factory=list)
    models: dict[str, Card] = field(default_factory=dict)
    subckts: dict[str, "Scope"] = field(default_factory=dict)
    parent: "Scope | None" = None
    card: Card | None = None


@dataclass
class Deck:
    title: str
    top: Scope
    analyses: list[Card] = field(default_factory=list)
    options: list[Card] = field(default_factory=list)
    globals: set[str] = field(default_factory=set)
    funcs: list[Card] = field(default_factory=list)
    ics: list[Card] = field(default_factory=list)
    nodesets: list[Card] = field(default_factory=list)
    temps: list[Card] = field(default_factory=list)
    outputs: list[Card] = field(default_factory=list)
    measures: list[Card] = field(default_factory=list)     # .meas / .measure
    fours: list[Card] = field(default_factory=list)        # .four
    warnings: list[str] = field(default_factory=Warnings)
    path: str = "<stdin>"


_SEP_PARENS = re.compile(r"[\s,()]+")
_SEP = re.compile(r"[\s,]+")


def split_tokens(text: str, keep_parens: bool = False) -> list[str]:
    """Split a card into tokens. `{...}` and `'...'` stay whole (they are expressions);
    whitespace, commas and (unless keep_parens) parentheses separate; `=` is its own token."""
    if not any(c in text for c in "{'="):
        # the common case (plain element cards): one regex split
        return [t for t in (_SEP_PARENS if not keep_parens else _SEP).split(text) if t]
    toks: list[str] = []
    cur: list[str] = []
    depth = 0
    quote = False
    seps = " \t,()" if not keep_parens else " \t,"

    def flush():
        if cur:
            toks.append("".join(cur))
            cur.clear()

    for ch in text:
        if quote:
            cur.append(ch)
            if ch == "'":
                quote = False
            continue
        if depth:
            cur.append(ch)
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            continue
        if ch == "'":
            quote = True
            cur.append(ch)
        elif ch == "{":
            depth = 1
            cur.append(ch)
        elif ch in seps:
            flush()
        elif ch == "=":
            flush()
            toks.append("=")
        else:
            cur.append(ch)
    flush()
    return toks


def _strip_comment(line: str) -> str:
    # `;` starts a comment anywhere; `$` only after whitespace (ngspice's rule), so names such
    # as `net$1` survive.
    cut = line.find(";")
    if cut >= 0:
        line = line[:cut]
    for i, ch in enumerate(line):
        if ch == "$" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _read_text(path: str, where: Card | None, shown: str | None = None) -> str:
    """The text of a netlist file; for an .include (`where`, naming it as `shown`), only a
    regular file."""
    from edapipe.util.files import read_bytes

    try:
        data = read_bytes(path, regular_only=where is not None)
    except InputError as exc:
        if where is not None:
            raise where.error(f"cannot read {where.text.split()[0].lower()} "
                              f"'{where.quote(shown or path)}': {exc.reason}") from None
        raise
    return data.decode("utf-8", errors="replace")
class _Reader:
    """Turns files into a flat list of cards, expanding includes and library sections."""

    def __init__(self, deck: Deck):
        self.deck = deck
        self.stack: list[tuple[str, str | None]] = []
        self.bytes_read = 0

    def include(self, path: str, where: Card, section: str | None = None,
                shown: str | None = None) -> list[Card]:
        """The cards of an .include or .lib file (`shown` as the card names it)."""
        if "\0" in path:
            raise where.error(f"cannot read {where.text.split()[0].lower()}: the file name "
                              f"contains a NUL byte")
        if len(self.stack) >= MAX_INCLUDE_DEPTH:
            raise where.error(f"files included more than {MAX_INCLUDE_DEPTH} deep "
                              f"(an include loop?)")
        key = (os.path.realpath(path), section)
        if key in self.stack:
            chain = " -> ".join(os.path.basename(p) for p, _ in self.stack + [key])
            raise where.error(f"include loop: {chain}")
        text = _read_text(path, where, shown)
        from edapipe.util.files import MAX_INPUT_VARIABLE, max_input_bytes

        # one file included many times over (each including the next twice) is the
        # gzip bomb of netlists: all included text together has the input budget
        self.bytes_read += len(text)
        budget = max_input_bytes()
        if self.bytes_read > budget:
            raise ResourceLimit(f"{where.file}:{where.line}: included files add up to more "
                                f"than the input limit of {budget >> 20} MiB; raise it with "
                                f"{MAX_INPUT_VARIABLE}=N (MiB)")
        return self.read(path, text, section, where=where)

    def read(self, path: str, text: str, section: str | None = None,
             where: Card | None = None, title: bool = False) -> list[Card]:
        key = (os.path.realpath(path) if path != "<stdin>" else path, section)
        if key in self.stack:
            chain = " -> ".join(os.path.basename(p) for p, _ in self.stack + [key])
            raise (where.error if where else (lambda r: InputError(r, file=path)))(
                f"include loop: {chain}")
        self.stack.append(key)
        try:
            return self._read(path, text, section, title, included=where is not None)
        finally:
            self.stack.pop()

    def _read(self, path, text, section, title, included=False) -> list[Card]:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        cards: list[Card] = []
        start = 0
        if title:
            self.deck.title = lines[0].strip() if lines else ""
            start = 1
        in_control = False
        # .lib sections: when reading a file for `section`, keep only that section's lines;
        # a top-level file skips section definitions it contains.
        in_wanted = section is None
        skip_section = False
        # `+` continuations, joined when the file is done (joining as they come is
        # quadratic in the length of the card)
        pending: dict[int, tuple[Card, list[str]]] = {}
        for idx in range(start, len(lines)):
            raw = lines[idx]
            lineno = idx + 1
            stripped = raw.strip()
            low = stripped.lower()
            if in_control:
                if low.startswith(".endc"):
                    in_control = False
                continue
            if low.startswith(".lib") and not low.startswith(".library"):
                toks = split_tokens(_strip_comment(stripped))
                if len(toks) == 2:  # section definition start
                    if section is not None and toks[1].lower() == section:
                        in_wanted = True
                    elif section is None:
                        skip_section = True
                    continue
            if low.startswith(".endl"):
                if section is not None and in_wanted:
                    in_wanted = False
                    continue
                skip_section = False
                continue
            if not in_wanted or skip_section:
                continue
            if not stripped or stripped.startswith("*"):
                continue
            if low.startswith(".control"):
                in_control = True
                self.deck.warnings.append(
                    f"{path}:{lineno}: .control block skipped (interactive scripts are not run)")
                continue
            body = _strip_comment(stripped).strip()
            if not body:
                continue
            if body.startswith("+"):
                if cards and cards[-1].file == path:
                    last = cards[-1]
                    pending.setdefault(id(last), (last, []))[1].append(body[1:].strip())
                    continue
                raise InputError("continuation line '+' without a card before it",
                                 file=path, line=lineno)
            low = body.lower()
            if low == ".end" or low.startswith(".end ") or low.startswith(".end\t"):
                break
            card = Card(body, path, lineno, included)
            if low.startswith(".inc"):
                toks = split_tokens(body)
                if len(toks) < 2:
                    raise card.error(".include needs a file name")
                sub = self._resolve(path, toks[1])
                cards.extend(self.include(sub, card, shown=toks[1]))
                continue
            if low.startswith(".lib") and not low.startswith(".library"):
                toks = split_tokens(body)
                if len(toks) >= 3:
                    sub = self._resolve(path, toks[1])
                    cards.extend(self.include(sub, card, section=toks[2].lower(),
                                              shown=toks[1]))
                    continue
            cards.append(card)
        for card, parts in pending.values():
            card.text = " ".join([card.text, *parts])
        return cards

    @staticmethod
    def _resolve(path: str, name: str) -> str:
        name = name.strip("'\"")
        if os.path.isabs(name):
            return name
        base = os.path.dirname(path) if path != "<stdin>" else os.getcwd()
        return os.path.join(base, name)


def parse_deck(text: str, path: str = "<stdin>") -> Deck:
    """Parse netlist text (the first line is the title) into a Deck."""
    deck = Deck(title="", top=Scope("<top>"), path=path)
    reader = _Reader(deck)
    cards = reader.read(path, text, title=True)
    cards = resolve_conditionals(cards)
    _structure(deck, cards)
    return deck


def read_deck(path: str) -> Deck:
    if path == "-":
        from edapipe.util.files import read_bytes

        return parse_deck(read_bytes("-").decode("utf-8", errors="replace"), "<stdin>")
    return parse_deck(_read_text(path, None), path)


_ANALYSES = (".op", ".dc", ".ac", ".tran", ".tf", ".noise", ".sens", ".pz")
# analyses we do not run: a located error (a deck that asks for them must not get silence)
_REFUSED = (".disto", ".sp", ".pss")
# cards that cannot change a result: .plot draws, .width formats, .title/.echo print text
_IGNORED = (".print", ".plot", ".save", ".probe", ".width", ".title", ".csparam", ".echo")


def _structure(deck: Deck, cards: list[Card]) -> None:
    scope = deck.top
    for card in cards:
        text = card.text
        low = text.lower()
        if not low.startswith("."):
            scope.elements.append(card)
            continue
        word = low.split()[0] if low.split() else low
        if word == ".subckt":
            toks = split_tokens(text)
            if len(toks) < 2:
                raise card.error(".subckt needs a name")
            sub = Scope(toks[1].lower(), parent=scope, card=card)
            rest = toks[2:]
            i = 0
            while i < len(rest):
                tok = rest[i]
                if tok.lower() == "params:":
                    i += 1
                    continue
                if i + 1 < len(rest) and rest[i + 1] == "=":
                    if i + 2 >= len(rest):
                        raise card.error(f"parameter '{tok}' has no value")
                    sub.defaults.append((tok.lower(), rest[i + 2]))
                    i += 3
                    continue
                sub.ports.append(tok.lower())
                i += 1
            scope.subckts[sub.name] = sub
            scope = sub
        elif word == ".ends":
            if scope.parent is None:
                raise card.error(".ends without .subckt")
            scope = scope.parent
        elif word == ".param":
            for name, value in _param_pairs(card, text[len(".param"):]):
                scope.params.append((name, value, card))
        elif word == ".model":
            toks = split_tokens(text)
            if len(toks) < 3:
                raise card.error(".model needs a name and a type")
            scope.models[toks[1].lower()] = card
        elif word == ".global":
            deck.globals.update(t.lower() for t in split_tokens(text)[1:])
        elif word in _ANALYSES:
            deck.analyses.append(card)
        elif word in (".options", ".option", ".opt", ".opts"):
            deck.options.append(card)
        elif word == ".func":
            deck.funcs.append(card)
        elif word == ".ic":
            deck.ics.append(card)
        elif word == ".nodeset":
            deck.nodesets.append(card)
        elif word == ".temp":
            deck.temps.append(card)
        elif word in (".meas", ".measure"):
            deck.measures.append(card)
        elif word == ".four":
            deck.fours.append(card)
        elif word in _REFUSED:
            raise card.error(f"{word} analysis is not supported (edapipe runs .op, .dc, .ac, "
                             f".tran, .tf, .noise, .sens, .pz, .meas and .four)")
        elif word in _IGNORED:
            if word in (".print", ".save", ".probe"):
                deck.outputs.append(card)
        else:
            deck.warnings.append(card.warning(f"unsupported card {word} ignored"))
    if scope is not deck.top:
        raise scope.card.error(f".subckt {scope.name} has no .ends")


def _param_pairs(card: Card, text: str) -> list[tuple[str, str]]:
    """`a=1 b = {2*a} c='a+b'` -> [(a, '1'), (b, '{2*a}'), (c, "'a+b'")]. A value may be a bare
    expression with spaces (`.param x = 2 * y`): it runs up to the next `name =`."""
    pairs = []
    matches = list(re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)", text))
    if not matches and text.strip():
        raise card.error(f"cannot read .param '{card.quote(text.strip())}'")
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        value = text[m.end():end].strip().rstrip(",").strip()
        pairs.append((m.group(1).lower(), value))
    # a name=value inside braces or quotes was split wrongly: merge it back (the pieces are
    # joined once at the end, and the open braces and quotes counted as they come, so that
    # a long line stays linear)
    merged: list[list] = []         # [name, pieces, open braces, open quote]
    for name, value in pairs:
        if merged and (merged[-1][2] > 0 or merged[-1][3]):
            prev = merged[-1]
            prev[1].append(f"{name}={value}")
        else:
            prev = [name, [value], 0, False]
            merged.append(prev)
        prev[2] += value.count("{") - value.count("}")
        prev[3] ^= value.count("'") % 2 == 1
    out = []
    for name, pieces, _, _ in merged:
        value = " ".join(pieces)
        if not value:
            raise card.error(f"parameter '{name}' has no value")
        out.append((name, value))
    return out


_COND_RE = re.compile(r"\.(if|elseif|else|endif)(?![A-Za-z0-9_])", re.IGNORECASE)


def resolve_conditionals(cards: list[Card]) -> list[Card]:
    """Keep the cards of the branches of `.if/.elseif/.else/.endif` whose condition holds
    (nested blocks allowed). Conditions are expressions of the top-level .params (those
    outside subcircuits and outside conditional blocks, forward references allowed), as
    ngspice evaluates them. A `.param` inside a conditional block is refused: ngspice 39
    applies every branch's .param whatever the condition (the last one wins), which is
    never what the deck means; write it as a ternary instead."""
    if not any(c.text[:1] == "." and _COND_RE.match(c.text) for c in cards):
        return cards
    env = _top_params(cards)
    out: list[Card] = []
    stack: list[list] = []     # [.if card, branch taken now, some taken, outer active, else seen]
    for card in cards:
        m = _COND_RE.match(card.text)
        active = all(f[1] for f in stack)
        if m is None:
            if stack and card.text.split(None, 1)[0].lower() == ".param":
                raise card.error(".param inside .if/.else is not supported (ngspice 39 "
                                 "applies every branch's .param whatever the condition); "
                                 "use a ternary: .param x={cond ? a : b}")
            if active:
                out.append(card)
            continue
        word = m.group(1).lower()
        rest = card.text[m.end():].strip()
        if word == "if":
            ok = active and _condition(card, rest, env)
            stack.append([card, ok, ok, active, False])
            continue
        if not stack:
            raise card.error(f".{word} without .if")
        top = stack[-1]
        if word == "endif":
            stack.pop()
            continue
        if top[4]:
            raise card.error(f".{word} after .else")
        if word == "elseif":
            ok = top[3] and not top[2] and _condition(card, rest, env)
        else:
            ok = top[3] and not top[2]
            top[4] = True
        top[1] = ok
        top[2] = top[2] or ok
    if stack:
        raise stack[-1][0].error(".if without .endif")
    return out


def _condition(card: Card, text: str, env: dict) -> bool:
    from edapipe.analog.expr import ExprError, eval_text

    if not text:
        raise card.error(".if needs a condition")
    if text[:1] == "{" and text[-1:] == "}":
        text = text[1:-1]
    # ngspice reads a lone '=' in a condition as '==' (its regression test if-elseif.cir)
    text = re.sub(r"(?<![=<>!])=(?!=)", "==", text)
    try:
        return eval_text(text, env) != 0.0
    except ExprError as exc:
        raise card.error(f".if condition: {exc} (conditions read the top-level .params)") \
            from None


def _top_params(cards: list[Card]) -> dict:
    """The values of the top-level .params outside conditional blocks and subcircuits; one
    that cannot be evaluated is left out (the flattener reports it later; a condition that
    reads it is an error at the .if)."""
    from edapipe.analog.expr import ExprError, eval_text, parse_number

    pending: list[tuple[str, str]] = []
    depth = sub = 0
    for card in cards:
        m = _COND_RE.match(card.text)
        if m:
            word = m.group(1).lower()
            depth += word == "if"
            depth -= word == "endif"
            continue
        first = card.text.split(None, 1)[0].lower() if card.text.split() else ""
        if first == ".subckt":
            sub += 1
        elif first == ".ends":
            sub = max(sub - 1, 0)
        elif first == ".param" and not sub and not depth:
            pending += _param_pairs(card, card.text[len(".param"):])
    env: dict = {}
    progress = True
    while pending and progress:
        progress = False
        left = []
        for name, value in pending:
            text = value[1:-1] if value[:1] in "{'" and value[-1:] in "}'" else value
            num = parse_number(text)
            try:
                env[name] = num if num is not None else eval_text(text, env)
                progress = True
            except ExprError:
                left.append((name, value))
        pending = left
    return env

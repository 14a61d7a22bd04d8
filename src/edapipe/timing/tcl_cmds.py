"""The Tcl commands real SDC files use beyond `set` and `expr` (tcl.py): control flow
(`if`/`elseif`/`else`, `foreach`, `proc` with `return`, `global`, `break`, `continue`),
lists (`list`, `lindex`, `llength`, `lappend`, `concat`, `join`, `split`, `lrange`,
`lsort`), `incr`, `append`, `info exists`, `puts` and `string` basics.

Nothing is evaluated as code: loop and proc bodies must be braced words of the script, and
run in place (their errors keep their file:line:column); conditions are `expr` (tcl.py).
Loops and procs spend the interpreter's command budget (MAX_COMMANDS, exit 4 beyond) and
procs nest at most MAX_PROC_DEPTH deep.

Lists hold strings or design objects: a list whose elements are all objects stays an object
list (what `lappend l [get_ports a]` then `-from $l` needs); otherwise elements are text.
"""

from __future__ import annotations

from typing import Any

from edapipe.errors import excerpt
from edapipe.timing.glob import compile_glob
from edapipe.timing.tcl import MAX_NESTING, MAX_PROC_DEPTH, TclError, Word, _text, _truth, \
    safe_arith

_SPECIAL = set(" \t\n\r{}[]\"$;\\")


class _Flow(TclError):
    """break / continue / return: caught by loops and procs; elsewhere a located error."""

    def __init__(self, kind: str, offset: int, value: Any = ""):
        super().__init__(f"{kind} outside a {'proc' if kind == 'return' else 'loop'}", offset)
        self.kind = kind
        self.value = value


class Frame(dict):
    """A proc's variables; names declared `global` read and write the global frame."""

    def __init__(self, globals_: dict):
        super().__init__()
        self.globals_ = globals_
        self.linked: set[str] = set()

    def __getitem__(self, k):
        return self.globals_[k] if k in self.linked else super().__getitem__(k)

    def __setitem__(self, k, v):
        if k in self.linked:
            self.globals_[k] = v
        else:
            super().__setitem__(k, v)

    def __contains__(self, k):
        return k in self.globals_ if k in self.linked else super().__contains__(k)

    def get(self, k, default=None):
        return self[k] if k in self else default


def split_list(text: str, offset: int) -> list[str]:
    """Tcl list elements of a string (braces, quotes, backslashes)."""
    out: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return out
        c = text[i]
        if c == "{":
            depth, j = 1, i + 1
            while j < n and depth:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += (text[j] == "{") - (text[j] == "}")
                j += 1
            if depth:
                raise TclError("unmatched open brace in list", offset)
            out.append(text[i + 1:j - 1])
            i = j
        elif c == '"':
            j = i + 1
            buf = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise TclError("unmatched quote in list", offset)
            out.append("".join(buf))
            i = j + 1
        else:
            buf = []
            while i < n and not text[i].isspace():
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(text[i])
                i += 1
            out.append("".join(buf))


def _element(v: Any) -> str:
    s = str(v)
    if s == "":
        return "{}"
    if not any(c in _SPECIAL for c in s):
        return s
    if s.count("{") == s.count("}") and not s.endswith("\\"):
        return "{" + s + "}"
    return "".join("\\" + c if c in _SPECIAL else c for c in s)


def elements(v: Any, offset: int) -> list[Any]:
    """The elements of a Tcl value: each object of an object list, else the list's words."""
    if isinstance(v, list):
        return [type(v)([o]) for o in v]
    return split_list(str(v), offset)


def make_list(items: list[Any]) -> Any:
    """A Tcl list of values: an object list when every item is one, else text."""
    if items and all(isinstance(x, list) for x in items):
        cls = type(items[0])
        return cls(o for x in items for o in x)
    return " ".join(_element(_text(x)) for x in items)


def _int(w: Word, what: str) -> int:
    try:
        return int(str(w.value), 0)
    except ValueError:
        raise TclError(f"{what}: expected an integer, found {excerpt(w.value, 40)!r}",
                       w.offset) from None


def _list_index(w: Word, n: int, what: str) -> int:
    """A list index word (`3`, `end`, `end-1`) for a list of n elements."""
    s = str(w.value)
    if s == "end":
        return n - 1
    if s.startswith("end-"):
        return n - 1 - _int(Word(s[4:], w.offset), what)
    return _int(w, what)


class _Commands:
    """The commands, bound to one interpreter (tcl.Interp)."""

    def __init__(self, it):
        self.it = it

    def body(self, w: Word):
        it = self.it
        if not (w.braced and it.is_source(w)):
            raise TclError("a body must be a braced block {...} of the script (the reader "
                           "runs it in place)", w.offset)
        if it.in_body >= MAX_NESTING:
            raise TclError(f"blocks nested deeper than {MAX_NESTING}", w.offset)
        it.in_body += 1
        try:
            return it._run_script(it.text, w.offset + 1, w.offset + 1 + len(w.value))
        finally:
            it.in_body -= 1

    def cond(self, w: Word, offset: int) -> bool:
        it = self.it
        text = it.expr_text([w], offset)
        return _truth(safe_arith(text, w.offset), text, w.offset)

    def if_(self, words: list[Word], offset: int):
        i = 0
        while True:
            if i >= len(words):
                raise TclError("usage: if cond body ?elseif cond body ...? ?else body?", offset)
            c = words[i]
            i += 1
            if i < len(words) and words[i].value == "then":
                i += 1
            if i >= len(words):
                raise TclError("if: a condition needs a body", c.offset)
            b = words[i]
            i += 1
            if self.cond(c, c.offset):
                return self.body(b)
            if i >= len(words):
                return ""
            kw = words[i].value
            if kw == "elseif":
                i += 1
                continue
            if kw == "else":
                if i + 2 != len(words):
                    raise TclError("if: else needs one body, last", words[i].offset)
                return self.body(words[i + 1])
            raise TclError(f"if: expected elseif or else, found {excerpt(kw, 40)!r}",
                           words[i].offset)

    def foreach(self, words: list[Word], offset: int):
        it = self.it
        if len(words) < 3 or len(words) % 2 == 0:
            raise TclError("usage: foreach vars list ?vars list ...? body", offset)
        pairs = []
        for k in range(0, len(words) - 1, 2):
            names = split_list(str(words[k].value), words[k].offset)
            if not names:
                raise TclError("foreach: no variable names", words[k].offset)
            pairs.append((names, elements(words[k + 1].value, words[k + 1].offset)))
        rounds = max(-(-len(items) // len(names)) for names, items in pairs)
        for r in range(rounds):
            for names, items in pairs:
                for j, name in enumerate(names):
                    k = r * len(names) + j
                    it.vars[name] = items[k] if k < len(items) else ""
            try:
                self.body(words[-1])
            except _Flow as f:
                if f.kind == "break":
                    break
                if f.kind != "continue":
                    raise
        return ""

    def proc(self, words: list[Word], offset: int):
        it = self.it
        if len(words) != 3:
            raise TclError("usage: proc name args body", offset)
        name = str(words[0].value)
        params = []
        for p in split_list(str(words[1].value), words[1].offset):
            parts = split_list(p, words[1].offset)
            if len(parts) not in (1, 2):
                raise TclError(f"proc {excerpt(name, 40)}: bad argument {excerpt(p, 40)!r}",
                               words[1].offset)
            params.append((parts[0], parts[1] if len(parts) == 2 else None))
        b = words[2]
        if not (b.braced and it.is_source(b)):
            raise TclError("a proc body must be a braced block {...} of the script",
                           b.offset)

        def call(args: list[Word], at: int):
            frame = Frame(it.globals)
            fixed = params[:-1] if params and params[-1][0] == "args" else params
            if len(args) > len(fixed) and len(fixed) == len(params):
                raise TclError(f"wrong # args: {excerpt(name, 40)} takes {len(fixed)}", at)
            for k, (pname, default) in enumerate(fixed):
                if k < len(args):
                    frame[pname] = args[k].value
                elif default is not None:
                    frame[pname] = default
                else:
                    raise TclError(f"wrong # args: no value for {pname} of "
                                   f"{excerpt(name, 40)}", at)
            if len(fixed) < len(params):
                frame["args"] = make_list([a.value for a in args[len(fixed):]])
            if it.proc_depth >= MAX_PROC_DEPTH:
                raise TclError(f"procs nested deeper than {MAX_PROC_DEPTH} (recursion?)", at)
            saved = it.vars
            it.vars = frame
            it.proc_depth += 1
            try:
                return self.body(b)
            except _Flow as f:
                if f.kind == "return":
                    return f.value
                raise
            finally:
                it.vars = saved
                it.proc_depth -= 1

        it.commands[name] = call
        return ""

    def return_(self, words, offset):
        raise _Flow("return", offset, words[0].value if words else "")

    def global_(self, words, offset):
        it = self.it
        if isinstance(it.vars, Frame):
            it.vars.linked.update(str(w.value) for w in words)
        return ""

    def incr(self, words, offset):
        it = self.it
        if len(words) not in (1, 2):
            raise TclError("usage: incr var ?amount?", offset)
        name = str(words[0].value)
        old = it.vars[name] if name in it.vars else "0"
        try:
            v = int(str(old), 0)
        except ValueError:
            raise TclError(f"incr: {excerpt(name, 40)} is not an integer", offset) from None
        v += _int(words[1], "incr") if len(words) == 2 else 1
        if abs(v) > (1 << 63):
            raise TclError("incr: integer out of range", offset)
        it.vars[name] = str(v)
        return it.vars[name]

    def append(self, words, offset):
        it = self.it
        if not words:
            raise TclError("usage: append var ?value ...?", offset)
        name = str(words[0].value)
        v = _text(it.vars[name]) if name in it.vars else ""
        add = "".join(_text(w.value) for w in words[1:])
        it._charge(len(v) + len(add), offset)
        it.vars[name] = it._spend(v + add, offset)
        return it.vars[name]

    def lappend(self, words, offset):
        it = self.it
        if not words:
            raise TclError("usage: lappend var ?value ...?", offset)
        name = str(words[0].value)
        items = elements(it.vars[name], offset) if name in it.vars else []
        items += [w.value for w in words[1:]]
        it.vars[name] = make_list(items)
        it._charge(len(_text(it.vars[name])), offset)
        return it.vars[name]

    def lindex(self, words, offset):
        if len(words) != 2:
            raise TclError("usage: lindex list index", offset)
        items = elements(words[0].value, offset)
        k = _list_index(words[1], len(items), "lindex")
        return items[k] if 0 <= k < len(items) else ""

    def lrange(self, words, offset):
        if len(words) != 3:
            raise TclError("usage: lrange list first last", offset)
        items = elements(words[0].value, offset)
        first, last = (_list_index(w, len(items), "lrange") for w in words[1:])
        return make_list(items[max(first, 0):last + 1])

    def lsort(self, words, offset):
        flags = [str(w.value) for w in words[:-1]]
        bad = [f for f in flags if f not in ("-ascii", "-dictionary", "-integer", "-real",
                                             "-increasing", "-decreasing", "-unique")]
        if not words or bad:
            raise TclError("usage: lsort ?-ascii|-integer|-real? ?-decreasing? ?-unique? list",
                           offset)
        items = elements(words[-1].value, offset)
        numeric = "-integer" in flags or "-real" in flags
        try:
            key = (lambda x: float(_text(x))) if numeric else (lambda x: _text(x))
            out = sorted(items, key=key, reverse="-decreasing" in flags)
        except ValueError:
            raise TclError("lsort: a list element is not a number", offset) from None
        if "-unique" in flags:
            seen, uniq = set(), []
            for x in out:
                if _text(x) not in seen:
                    seen.add(_text(x))
                    uniq.append(x)
            out = uniq
        return make_list(out)

    def concat(self, words, offset):
        items = [x for w in words for x in elements(w.value, w.offset)]
        return make_list(items)

    def join(self, words, offset):
        it = self.it
        if len(words) not in (1, 2):
            raise TclError("usage: join list ?separator?", offset)
        sep = str(words[1].value) if len(words) == 2 else " "
        out = sep.join(_text(x) for x in elements(words[0].value, offset))
        it._charge(len(out), offset)
        return it._spend(out, offset)

    def split(self, words, offset):
        if len(words) not in (1, 2):
            raise TclError("usage: split string ?chars?", offset)
        s = _text(words[0].value)
        chars = str(words[1].value) if len(words) == 2 else " \t\n\r"
        if chars == "":
            parts = list(s)
        else:
            parts, cur = [], []
            for c in s:
                if c in chars:
                    parts.append("".join(cur))
                    cur = []
                else:
                    cur.append(c)
            parts.append("".join(cur))
        return make_list(parts) if parts else ""

    def puts(self, words, offset):
        it = self.it
        args = [w for w in words if w.value != "-nonewline"]
        if len(args) == 2 and str(args[0].value) in ("stdout", "stderr"):
            args = args[1:]
        if len(args) != 1:
            raise TclError("usage: puts ?-nonewline? ?stdout|stderr? string", offset)
        it.output.append(_text(args[0].value))
        return ""

    def info(self, words, offset):
        it = self.it
        if len(words) == 2 and words[0].value == "exists":
            return "1" if str(words[1].value) in it.vars else "0"
        raise TclError("info: only `info exists var` is supported", offset)

    def unset(self, words, offset):
        it = self.it
        for w in words:
            if str(w.value) == "-nocomplain":
                continue
            it.vars.pop(str(w.value), None)
        return ""

    def string(self, words, offset):
        if not words:
            raise TclError("usage: string subcommand ...", offset)
        sub = str(words[0].value)
        args = [w for w in words[1:] if w.value != "-nocase"]
        nocase = len(args) != len(words) - 1
        vals = [_text(w.value) for w in args]
        simple = {"length": (1, lambda a: str(len(a[0]))),
                  "tolower": (1, lambda a: a[0].lower()),
                  "toupper": (1, lambda a: a[0].upper()),
                  "trim": (1, lambda a: a[0].strip()),
                  "trimleft": (1, lambda a: a[0].lstrip()),
                  "trimright": (1, lambda a: a[0].rstrip()),
                  "first": (2, lambda a: str(a[1].find(a[0]))),
                  "last": (2, lambda a: str(a[1].rfind(a[0]))),
                  "equal": (2, lambda a: str(int(_fold(a[0], nocase) == _fold(a[1], nocase)))),
                  "compare": (2, lambda a: str(_cmp(_fold(a[0], nocase), _fold(a[1], nocase)))),
                  "match": (2, lambda a: str(int(bool(compile_glob(a[0], nocase)(a[1]))))),
                  "index": (2, lambda a: _at(a[0], a[1], offset)),
                  "range": (3, lambda a: _range(a, offset))}
        if sub not in simple:
            raise TclError(f"string {excerpt(sub, 40)} is not supported (supported: "
                           f"{', '.join(sorted(simple))})", words[0].offset)
        n, fn = simple[sub]
        if len(vals) != n:
            raise TclError(f"usage: string {sub} takes {n} argument(s)", offset)
        return fn(vals)

    def list_(self, words, offset):
        return make_list([w.value for w in words])

    def llength(self, words, offset):
        if len(words) != 1:
            raise TclError("usage: llength list", offset)
        return str(len(elements(words[0].value, offset)))


def install(it) -> None:
    """Register the commands on interpreter `it` (tcl.Interp)."""
    it.output = []
    c = _Commands(it)
    flow = {"break": lambda w, o: _raise(_Flow("break", o)),
            "continue": lambda w, o: _raise(_Flow("continue", o)),
            "if": c.if_, "return": c.return_, "global": c.global_, "list": c.list_}
    names = ("foreach proc incr append lappend lindex lrange lsort concat join split puts "
             "info unset string llength").split()
    for name, fn in {**flow, **{n: getattr(c, n) for n in names}}.items():
        it.commands.setdefault(name, fn)


def _raise(exc):
    raise exc


def _fold(s: str, nocase: bool) -> str:
    return s.casefold() if nocase else s


def _cmp(a: str, b: str) -> int:
    return (a > b) - (a < b)


def _at(s: str, idx: str, offset: int) -> str:
    k = len(s) - 1 if idx == "end" else _int(Word(idx, offset), "string index")
    return s[k] if 0 <= k < len(s) else ""


def _range(a: list[str], offset: int) -> str:
    s = a[0]

    def index(x):
        return len(s) - 1 if x == "end" else _int(Word(x, offset), "string range")
    return s[max(index(a[1]), 0):index(a[2]) + 1]


__all__ = ["install", "split_list", "make_list", "elements", "Frame"]

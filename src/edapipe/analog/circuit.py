"""Flatten a Deck into a Circuit: subcircuits expanded, parameters evaluated, nodes numbered.

Every element becomes an `Element` with integer node indices (0 is ground) and numbers in SI
units. Names are lower case; inside subcircuits nodes are `x1.n` and elements `x1.r1` (with
ngspice's letter-first spelling for sources: `v.x1.v1`), as ngspice reports them.
"""

from __future__ import annotations

import math

import re
from dataclasses import dataclass, field

from edapipe.analog.expr import ExprError, eval_text, parse_expr, parse_number
from edapipe.analog.parser import Card, Deck, Scope, split_tokens
from edapipe.errors import InputError

GROUND_NAMES = ("0", "gnd")
SUPPORTED = "RCLKVIEFGHDQMXB"
_NODE_COUNT = {"R": 2, "C": 2, "L": 2, "V": 2, "I": 2, "E": 4, "G": 4, "F": 2, "H": 2,
               "D": 2, "M": 4}


@dataclass
class Source:
    """The value of an independent source: DC, AC and one transient function."""

    dc: float | None = None
    ac_mag: float = 0.0
    ac_phase: float = 0.0
    kind: str = ""            # "", pulse, sin, pwl, exp, sffm
    args: list[float] = field(default_factory=list)


@dataclass
class Element:
    letter: str
    name: str
    nodes: list[int]
    card: Card
    value: float = 0.0
    params: dict = field(default_factory=dict)
    model: "Model | None" = None
    source: Source | None = None
    control: str = ""          # F/H controlling source, K inductor names "l1 l2"


@dataclass
class Model:
    name: str
    kind: str                  # d, npn, pnp, nmos, pmos, r, c
    params: dict[str, float]
    card: Card


@dataclass
class Circuit:
    title: str
    nodes: list[str]                       # index -> name; nodes[0] == "0"
    elements: list[Element]
    options: dict[str, float | str]
    analyses: list[Card]
    ics: dict[int, float]
    nodesets: dict[int, float]
    temp: float
    warnings: list[str]
    path: str

    def node_index(self, name: str) -> int | None:
        name = name.lower()
        if name in GROUND_NAMES:
            return 0
        try:
            return self.nodes.index(name)
        except ValueError:
            return None


def _value(tok: str, env: dict, funcs: dict, card: Card, what: str) -> float:
    """A card value: number, {expr}, 'expr' or a bare expression / parameter name."""
    text = tok
    if (text.startswith("{") and text.endswith("}")) or (
            len(text) >= 2 and text.startswith("'") and text.endswith("'")):
        text = text[1:-1]
    num = parse_number(text)
    if num is not None:
        return num
    try:
        return eval_text(text, env, funcs)
    except ExprError as exc:
        raise card.error(f"{what}: {exc}") from None


def _split_kw(toks: list[str]) -> tuple[list[str], dict[str, str]]:
    pos: list[str] = []
    kw: dict[str, str] = {}
    i = 0
    while i < len(toks):
        if i + 2 < len(toks) + 1 and i + 1 < len(toks) and toks[i + 1] == "=":
            if i + 2 >= len(toks):
                raise ValueError(f"'{toks[i]}=' has no value")
            kw[toks[i].lower()] = toks[i + 2]
            i += 3
        else:
            pos.append(toks[i])
            i += 1
    return pos, kw


def parse_options(cards: list[Card]) -> dict[str, float | str]:
    opts: dict[str, float | str] = {}
    for card in cards:
        toks = split_tokens(card.text)[1:]
        i = 0
        while i < len(toks):
            key = toks[i].lower()
            if i + 2 < len(toks) + 1 and i + 1 < len(toks) and toks[i + 1] == "=":
                raw = toks[i + 2] if i + 2 < len(toks) else ""
                num = parse_number(raw)
                opts[key] = num if num is not None else raw.lower()
                i += 3
            else:
                opts[key] = 1.0
                i += 1
    return opts


class _Flattener:
    def __init__(self, deck: Deck, overrides: dict | None = None):
        self.deck = deck
        self.overrides = overrides or {}
        self.nodes: list[str] = ["0"]
        self.node_ids: dict[str, int] = {"0": 0}
        self.elements: list[Element] = []
        self.names: set[str] = set()
        self.funcs: dict = {}
        self.globals = set(deck.globals)
        self.warnings = deck.warnings
        # models evaluated per (card, parameter environment): a thousand MOSFETs of one
        # model read its card once (the env is kept so that its id stays unique)
        self._models: dict[tuple[int, int], tuple[dict, Model]] = {}

    def node(self, name: str, prefix: str, portmap: dict[str, int]) -> int:
        low = name.lower()
        if low in GROUND_NAMES:
            return 0
        if low in portmap:
            return portmap[low]
        full = low if (low in self.globals or not prefix) else prefix + low
        idx = self.node_ids.get(full)
        if idx is None:
            idx = len(self.nodes)
            self.nodes.append(full)
            self.node_ids[full] = idx
        return idx

    # --- parameters ---------------------------------------------------------------------
    def eval_params(self, scope: Scope, env: dict) -> dict:
        pending = list(scope.params)
        # ngspice evaluates .param in order; allow forward references by retrying
        for _ in range(len(pending) + 1):
            left = []
            for name, text, card in pending:
                if scope is self.deck.top and name in self.overrides:
                    continue
                try:
                    env[name] = _value(text, env, self.funcs, card, f"parameter '{name}'")
                except InputError:
                    left.append((name, text, card))
            if not left or len(left) == len(pending):
                pending = left
                break
            pending = left
        if pending:
            name, text, card = pending[0]
            env[name] = _value(text, env, self.funcs, card, f"parameter '{name}'")
        return env

    def lookup_model(self, scope: Scope, name: str, env: dict) -> Model | None:
        s: Scope | None = scope
        while s is not None:
            card = s.models.get(name.lower())
            if card is not None:
                key = (id(card), id(env))
                hit = self._models.get(key)
                if hit is None:
                    hit = self._models[key] = (env, self.make_model(card, env))
                return hit[1]
            s = s.parent
        return None

    def make_model(self, card: Card, env: dict) -> Model:
        toks = split_tokens(card.text)
        name, kind = toks[1].lower(), toks[2].lower()
        try:
            pos, kw = _split_kw(toks[3:])
        except ValueError as exc:
            raise card.error(f"model {name}: {exc}") from None
        params = {k: _value(v, env, self.funcs, card, f"model {name} parameter {k}")
                  for k, v in kw.items()}
        return Model(name, kind, params, card)

    def lookup_subckt(self, scope: Scope, name: str) -> Scope | None:
        s: Scope | None = scope
        while s is not None:
            if name in s.subckts:
                return s.subckts[name]
            s = s.parent
        return None

    # --- expansion ----------------------------------------------------------------------
    def expand(self, scope: Scope, prefix: str, portmap: dict[str, int], env: dict,
               stack: tuple[str, ...]) -> None:
        for card in scope.elements:
            toks = split_tokens(card.text)
            name = toks[0].lower()
            letter = name[0].upper()
            if letter not in SUPPORTED:
                raise card.error(f"unknown element type '{toks[0][0]}' in '{toks[0]}'")
            if letter == "X":
                self.instance(scope, card, toks, prefix, portmap, env, stack)
                continue
            if letter == "B":
                full = prefix + name
                if full in self.names:
                    raise card.error(f"element {name} is defined twice")
                self.names.add(full)
                self.elements.append(self.behavioural(card, full, prefix, portmap, env))
                continue
            full = prefix + name
            if full in self.names:
                raise card.error(f"element {name} is defined twice")
            self.names.add(full)
            try:
                elem = self.element(scope, card, letter, full, toks, prefix, portmap, env)
            except ValueError as exc:
                raise card.error(f"element {name}: {exc}") from None
            self.elements.append(elem)

    def instance(self, scope, card, toks, prefix, portmap, env, stack):
        name = toks[0].lower()
        eq = toks.index("=") if "=" in toks else len(toks) + 1
        head = toks[1:eq - 1] if eq <= len(toks) else toks[1:]
        head = [t for t in head if t.lower() != "params:"]
        if not head:
            raise card.error(f"subcircuit instance {name} names no subcircuit")
        subname = head[-1].lower()
        actual = head[:-1]
        sub = self.lookup_subckt(scope, subname)
        if sub is None:
            raise card.error(f"{name}: unknown subcircuit '{subname}'")
        if subname in stack:
            raise card.error(f"{name}: recursive subcircuit '{subname}' "
                             f"({' -> '.join(stack + (subname,))})")
        if len(actual) != len(sub.ports):
            raise card.error(f"{name}: subcircuit '{subname}' has {len(sub.ports)} ports, "
                             f"{len(actual)} nodes given")
        try:
            _, kw = _split_kw(toks[eq - 1:] if eq <= len(toks) else [])
        except ValueError as exc:
            raise card.error(f"{name}: {exc}") from None
        new_env = dict(self.top_env)
        for pname, text in sub.defaults:
            new_env[pname] = _value(text, new_env, self.funcs, sub.card, f"parameter '{pname}'")
        for pname, text in kw.items():
            if pname not in dict(sub.defaults):
                self.warnings.append(f"{card.file}:{card.line}: {name}: subcircuit "
                                     f"'{subname}' has no parameter '{pname}'")
            new_env[pname] = _value(text, env, self.funcs, card, f"parameter '{pname}'")
        self.eval_params(sub, new_env)
        ports = {p: self.node(a, prefix, portmap) for p, a in zip(sub.ports, actual)}
        self.expand(sub, prefix + name + ".", ports, new_env, stack + (subname,))

    def element(self, scope, card, letter, full, toks, prefix, portmap, env) -> Element:
        short = toks[0].lower()
        nn = _NODE_COUNT.get(letter)
        if letter == "Q":
            nn = 3
        if letter == "K":
            nn = 0
        if nn and len(toks) < nn + 1:
            raise ValueError(f"needs {nn} nodes, got {len(toks) - 1}")
        rest = toks[1 + nn:]
        pos, kw = _split_kw(rest) if letter not in "VI" else (rest, {})
        val = lambda t, what="value": _value(t, env, self.funcs, card, f"{short} {what}")  # noqa: E731
        nodes = [self.node(t, prefix, portmap) for t in toks[1:1 + nn]]
        el = Element(letter, full, nodes, card)
        if letter in "RCL":
            model = None
            if pos and parse_number(pos[0]) is None and not pos[0].startswith(("{", "'")):
                model = self.lookup_model(scope, pos[0], env)
                if model is not None:
                    pos = pos[1:]
            key = {"R": "r", "C": "c", "L": "l"}[letter]
            if pos:
                el.value = val(pos[0])
            elif key in kw:
                el.value = val(kw.pop(key))
            elif letter == "R" and "resistance" in kw:
                el.value = val(kw.pop("resistance"))
            elif model is not None:
                el.value = _model_rc_value(letter, model, kw, val)
            elif letter == "R":
                el.value = 0.0
            else:
                raise ValueError("has no value")
            el.model = model
            el.params = {k: val(v, k) for k, v in kw.items()}
            if letter == "R":
                scale = el.params.get("scale", 1.0)
                m = el.params.get("m", 1.0)
                if el.value == 0.0:
                    self.warnings.append(f"{card.file}:{card.line}: {short}: resistance too "
                                         f"low, set to 1 mOhm (as ngspice)")
                    el.value = 1e-3
                el.value = el.value * scale / m
                if "ac" in el.params:
                    el.params["ac"] = el.params["ac"] * scale / m
            elif letter == "C":
                el.value *= el.params.get("m", 1.0) * el.params.get("scale", 1.0)
            elif letter == "L":
                el.value /= el.params.get("m", 1.0)
        elif letter == "K":
            if len(pos) < 3:
                raise ValueError("needs two inductors and a coupling coefficient")
            el.control = " ".join(prefix + p.lower() for p in pos[:2])
            el.value = val(pos[2])
        elif letter in "VI":
            el.source = _parse_source(rest, val)
        elif letter in "EG":
            if not pos:
                raise ValueError("needs a gain")
            if pos[0].lower() in ("poly", "value", "table", "laplace"):
                raise ValueError(f"{pos[0].upper()} form is not supported")
            el.value = val(pos[0])
        elif letter in "FH":
            if len(pos) < 2:
                raise ValueError("needs a controlling source and a gain")
            el.control = prefix + pos[0].lower()
            el.value = val(pos[1])
        elif letter in "DQM":
            if letter == "Q":
                # optional substrate node: the 4th token is a node unless it names a model
                if len(toks) > 5 and self.lookup_model(scope, toks[4], env) is None:
                    nodes.append(self.node(toks[4], prefix, portmap))
                    rest = toks[5:]
                else:
                    rest = toks[4:]
                pos, kw = _split_kw(rest)
            if not pos:
                raise ValueError("names no model")
            model = self.lookup_model(scope, pos[0], env)
            if model is None:
                raise ValueError(f"unknown model '{pos[0]}'")
            want = {"D": ("d",), "Q": ("npn", "pnp"), "M": ("nmos", "pmos")}[letter]
            if model.kind not in want:
                raise ValueError(f"model '{model.name}' is {model.kind}, not {'/'.join(want)}")
            el.model = model
            flags = [p.lower() for p in pos[1:]]
            el.params = {k: val(v, k) for k, v in kw.items()}
            for f in flags:
                if f == "off":
                    el.params["off"] = 1.0
                elif "area" not in el.params:
                    el.params["area"] = val(f, "area")
        return el

    def behavioural(self, card, full, prefix, portmap, env) -> Element:
        """B n+ n- I=expr | V=expr. v(a), v(a,b), i(vsrc) and TIME become variables of the
        expression; parameters are folded in now (quotes and braces around them dropped)."""
        m = re.match(r"\s*(\S+)\s+(\S+)\s+(\S+)\s+([IV])\s*=\s*(.+)$", card.text,
                     re.IGNORECASE | re.DOTALL)
        if not m:
            raise card.error(f"element {full}: expected 'B n+ n- I=expr' or 'V=expr'")
        nodes = [self.node(m.group(2), prefix, portmap), self.node(m.group(3), prefix, portmap)]
        text = m.group(5).replace("'", " ").replace("{", "(").replace("}", ")")
        deps: list[tuple] = []

        def volt(mm):
            a = self.node(mm.group(1), prefix, portmap)
            b = self.node(mm.group(2), prefix, portmap) if mm.group(2) else 0
            deps.append(("v", a, b))
            return f" __d{len(deps) - 1} "

        def curr(mm):
            deps.append(("i", prefix + mm.group(1).lower()))
            return f" __d{len(deps) - 1} "

        text = re.sub(r"\bv\(\s*([^,()\s]+)\s*(?:,\s*([^()\s]+)\s*)?\)", volt, text,
                      flags=re.IGNORECASE)
        text = re.sub(r"\bi\(\s*([^()\s]+)\s*\)", curr, text, flags=re.IGNORECASE)
        try:
            tree = parse_expr(text)
            probe = dict(env)
            probe.update({f"__d{k}": 0.0 for k in range(len(deps))}, time=0.0)
            from edapipe.analog.expr import evaluate

            evaluate(tree, probe, self.funcs)
        except ExprError as exc:
            raise card.error(f"element {full}: {exc}") from None
        el = Element("B", full, nodes, card)
        el.params = {"kind": m.group(4).upper(), "tree": tree, "deps": deps,
                     "env": dict(env), "funcs": self.funcs}
        return el

    def run(self) -> Circuit:
        deck = self.deck
        for card in deck.funcs:
            m = re.match(r"\.func\s+([A-Za-z_]\w*)\s*\(([^)]*)\)\s*=?\s*(.*)$", card.text,
                         re.IGNORECASE | re.DOTALL)
            if not m:
                raise card.error("cannot read .func")
            body = m.group(3).strip()
            if body[:1] in "{'":
                body = body[1:-1]
            args = [a.strip().lower() for a in m.group(2).split(",") if a.strip()]
            try:
                self.funcs[m.group(1).lower()] = (args, parse_expr(body))
            except ExprError as exc:
                raise card.error(f".func {m.group(1)}: {exc}") from None
        self.top_env = self.eval_params(deck.top, dict(self.overrides))
        self.top_env.update(self.overrides)
        self.expand(deck.top, "", {}, self.top_env, ())
        opts = parse_options(deck.options)
        temp = float(opts.get("temp", 27.0)) if not isinstance(opts.get("temp"), str) else 27.0
        for card in deck.temps:
            toks = split_tokens(card.text)
            if len(toks) > 1:
                temp = _value(toks[1], self.top_env, self.funcs, card, ".temp")
        circ = Circuit(deck.title, self.nodes, self.elements, opts, deck.analyses, {}, {},
                       temp, self.warnings, deck.path)
        circ.params = self.top_env
        circ.funcs = self.funcs
        circ.deck = deck
        for cards, target in ((deck.ics, circ.ics), (deck.nodesets, circ.nodesets)):
            for card in cards:
                body = card.text.split(None, 1)[1] if len(card.text.split()) > 1 else ""
                for m in re.finditer(r"v\(\s*([^)\s]+)\s*\)\s*=\s*(\S+)", body, re.I):
                    idx = self.node_ids.get(m.group(1).lower())
                    if idx is None:
                        raise card.error(f"unknown node '{m.group(1)}'")
                    target[idx] = _value(m.group(2), self.top_env, self.funcs, card, "value")
        return circ


def _model_rc_value(letter, model, kw, val) -> float:
    p = model.params
    if letter == "R":
        # ngspice's semiconductor resistor (resmpar.c, restemp.c; checked against ngspice
        # 39): R = RSH (L - 2 SHORT) / (W - 2 NARROW), L and W from the instance, else the
        # model's L and DEFW (alias W), 10 um each; without RSH the model's R. W = 2 NARROW
        # gives an open circuit (ngspice's division by zero: no DC current, res_array R3)
        rsh = p.get("rsh", 0.0)
        length = val(kw.pop("l")) if "l" in kw else p.get("l", 10e-6)
        width = val(kw.pop("w")) if "w" in kw else p.get("w", p.get("defw", 10e-6))
        narrow = p.get("narrow", p.get("dw", 0.0))
        short = p.get("short", p.get("dlr", 0.0))
        if rsh:
            den = width - 2.0 * narrow
            return rsh * (length - 2.0 * short) / den if den != 0.0 else math.inf
        return p.get("r", p.get("res", 1e3))
    if letter == "C":
        cj = p.get("cj", 0.0)
        length = val(kw.pop("l")) if "l" in kw else p.get("l", 0.0)
        width = val(kw.pop("w")) if "w" in kw else p.get("w", 0.0)
        narrow = p.get("narrow", 0.0)
        return cj * (length - narrow) * (width - narrow) + p.get("cjsw", 0.0) * 2 * (
            length + width - 2 * narrow)
    raise ValueError("has no value")


_SRC_FUNCS = ("pulse", "sin", "pwl", "exp", "sffm", "am")
_SRC_WORDS = _SRC_FUNCS + ("dc", "ac", "distof1", "distof2")


def _parse_source(toks: list[str], val) -> Source:
    src = Source()
    i = 0
    n = len(toks)

    def numeric(k):
        return k < n and toks[k] != "=" and toks[k].lower() not in _SRC_WORDS

    while i < n:
        word = toks[i].lower()
        if i + 1 < n and toks[i + 1] == "=":  # dc=0 ac=1
            if word == "dc":
                src.dc = val(toks[i + 2])
            elif word == "ac":
                src.ac_mag = val(toks[i + 2])
            i += 3
            continue
        if word == "dc":
            if numeric(i + 1):
                src.dc = val(toks[i + 1])
                i += 2
            else:
                i += 1
        elif word == "ac":
            i += 1
            src.ac_mag = 1.0
            if numeric(i):
                src.ac_mag = val(toks[i])
                i += 1
                if numeric(i):
                    src.ac_phase = val(toks[i])
                    i += 1
        elif word in ("distof1", "distof2"):
            i += 1
            while numeric(i):
                i += 1
        elif word in _SRC_FUNCS:
            if word == "am":
                raise ValueError("AM sources are not supported")
            src.kind = word
            i += 1
            args = []
            while numeric(i):
                if word == "pwl" and i + 1 < n and toks[i + 1] == "=":
                    break
                args.append(val(toks[i]))
                i += 1
            src.args = args
        elif src.dc is None and numeric(i):
            src.dc = val(toks[i])
            i += 1
        else:
            raise ValueError(f"cannot read source specification at '{toks[i]}'")
    if src.kind == "pwl" and len(src.args) % 2:
        raise ValueError("PWL needs time-value pairs")
    return src


def flatten(deck: Deck, overrides: dict | None = None) -> Circuit:
    """Expand subcircuits and evaluate parameters (`overrides`: top-level .param values that
    replace the deck's, e.g. for a .dc sweep of a parameter)."""
    return _Flattener(deck, overrides).run()


def load(path: str) -> Circuit:
    from edapipe.analog.parser import read_deck

    return flatten(read_deck(path))


__all__ = ["Circuit", "Element", "Model", "Source", "flatten", "load", "parse_options"]

"""Flatten a Deck into a Circuit: subcircuits expanded, parameters evaluated, nodes numbered.

Every element becomes an `Element` with integer node indices (0 is ground) and numbers in SI
units. Names are lower case; inside subcircuits nodes are `x1.n` and elements `x1.r1` (with
ngspice's letter-first spelling for sources: `v.x1.v1`), as ngspice reports them.
"""

from __future__ import annotations

import math

import re
from collections import ChainMap
from dataclasses import dataclass, field

from edapipe.analog import limits
from edapipe.analog.expr import ExprError, eval_text, evaluate, parse_expr, parse_number
from edapipe.analog.parser import Card, Deck, Scope, split_tokens
from edapipe.errors import ResourceLimit, excerpt

MAX_SUBCKT_DEPTH = 1000        # subcircuit instances nested in one another
MAX_NAME_CHARS = 1 << 28       # characters of all flattened element and node names

GROUND_NAMES = ("0", "gnd")
SUPPORTED = "RCLKVIEFGHDQMJXBSWT"
_NODE_COUNT = {"R": 2, "C": 2, "L": 2, "V": 2, "I": 2, "E": 4, "G": 4, "F": 2, "H": 2,
               "D": 2, "M": 4, "J": 3, "S": 4, "W": 2, "T": 4}


@dataclass
class Source:
    """The value of an independent source: DC, AC and one transient function."""

    dc: float | None = None
    ac_mag: float = 0.0
    ac_phase: float = 0.0
    kind: str = ""            # "", pulse, sin, pwl, exp, sffm
    args: list[float] = field(default_factory=list)
    # PWL r=: the (time, value) list as written (td= applied) and the time its repeated
    # part starts at; args then holds it repeated up to a horizon (expand_pwl)
    pwl_base: list[float] | None = None
    pwl_repeat: float | None = None
    pwl_horizon: float = 0.0
    pwl_breaks: list[float] | None = None  # with td=/r=: ngspice's breakpoints (see mna)


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
    # instance parameters given on the card: defaults for the instances (ngspice 39)
    instance: dict[str, float] = field(default_factory=dict)
    # parameters acting only on charges/phase that the device code does not implement:
    # fine for DC analyses (analyses.refuse_dc_only)
    dc_only: dict[str, float] = field(default_factory=dict)


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


def _unquote(tok: str) -> str:
    if (tok.startswith("{") and tok.endswith("}")) or (
            len(tok) >= 2 and tok.startswith("'") and tok.endswith("'")):
        return tok[1:-1]
    return tok


def _finite(val: float, text: str) -> float:
    if not math.isfinite(val):
        raise ExprError(f"{excerpt(text, 60)!r} is not a finite number ({val}: an overflow "
                        f"or an undefined result)")
    return val


def _value_raw(tok: str, env, funcs: dict, tree=None) -> float:
    """A card value: number, {expr}, 'expr' or a bare expression / parameter name (`tree`:
    the expression already parsed); an infinite or undefined value is an ExprError."""
    text = _unquote(tok)
    if tree is not None:
        return _finite(evaluate(tree, env, funcs), text)
    val = parse_number(text)
    if val is None:
        val = eval_text(text, env, funcs)
    return _finite(val, text)


def _value(tok: str, env, funcs: dict, card: Card, what: str) -> float:
    try:
        return _value_raw(tok, env, funcs)
    except ExprError as exc:
        raise card.error(f"{what}: {exc}") from None


# the instance parameters each semiconductor family reads (devices/diode.py, bjt.py, mos.py);
# any other key would change nothing here while it changes ngspice's answer
_INSTANCE_KEYS = {
    "D": {"area", "m", "off"},
    "Q": {"area", "areab", "areac", "m", "off"},
    "M": {"l", "w", "ad", "as", "pd", "ps", "nrd", "nrs", "m", "off"},
    "J": {"area", "m", "off"},
}
_NGSPICE_ONLY_KEYS = {"ic", "temp", "dtemp", "pj", "lm", "lp", "wm", "wp", "sens_l",
                      "sens_w", "icvds", "icvgs", "icvbs", "icvbe", "icvce"}


def _check_instance_keys(letter: str, kw: dict[str, str], extra=frozenset()) -> None:
    known = _INSTANCE_KEYS[letter] | extra
    for key in kw:
        if key in known:
            continue
        what = "is not supported" if key in _NGSPICE_ONLY_KEYS else "is unknown"
        raise ValueError(f"instance parameter '{key}' {what} (this device reads "
                         f"{', '.join(sorted(known))})")


# R, C, L instance parameters (ngspice 39's res.c, cap.c, ind.c): read here, or known to
# ngspice and refused unless at a value that changes nothing (_check_passive_values)
_PASSIVE_KEYS = {
    "R": {"ac", "temp", "dtemp", "l", "w", "m", "scale", "tc1", "tc2", "tce", "noisy",
          "bv_max"},
    "C": {"ic", "m", "scale", "w", "l", "temp", "dtemp", "tc1", "tc2", "bv_max"},
    "L": {"ic", "m", "temp", "dtemp", "tc1", "tc2", "scale", "nt"},
}
# value -> the only value we run (a temperature coefficient of C or L: we have none)
_PASSIVE_FIXED = {"C": {"tc1": 0.0, "tc2": 0.0}, "L": {"tc1": 0.0, "tc2": 0.0, "scale": 1.0},
                  "R": {}}


def _check_passive_keys(letter: str, kw: dict[str, str]) -> None:
    for key in kw:
        if key not in _PASSIVE_KEYS[letter]:
            raise ValueError(f"unknown parameter '{key}' (ngspice stops here too; this "
                             f"element reads {', '.join(sorted(_PASSIVE_KEYS[letter]))})")


def _check_passive_values(letter: str, params: dict[str, float]) -> None:
    for key, fixed in _PASSIVE_FIXED[letter].items():
        if key in params and params[key] != fixed:
            raise ValueError(f"parameter {key.upper()}={params[key]:g} is not supported "
                             f"(only {fixed:g}: ngspice would use it)")
    if "nt" in params:
        raise ValueError("parameter NT (turns of a modelled inductor) is not supported")


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


def parse_options(cards: list[Card], env: dict | None = None,
                  funcs: dict | None = None) -> dict[str, float | str]:
    """The .options cards' settings; with `env`, a value written as {expr}, 'expr' or a
    parameter name is evaluated (`.options abstol={x}`, as ngspice reads it)."""
    opts: dict[str, float | str] = {}
    for card in cards:
        toks = split_tokens(card.text)[1:]
        i = 0
        while i < len(toks):
            key = toks[i].lower()
            if i + 2 < len(toks) + 1 and i + 1 < len(toks) and toks[i + 1] == "=":
                raw = toks[i + 2] if i + 2 < len(toks) else ""
                num = parse_number(raw)
                if num is None and env is not None and raw and (
                        raw[0] in "{'" or raw.lower() in env):
                    try:
                        num = _value_raw(raw, env, funcs or {})
                    except ExprError:
                        num = None
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
        self.func_texts: dict[str, tuple[list[str], str]] = {}   # bodies that probe v()/i()
        self.globals = set(deck.globals)
        self.warnings = deck.warnings
        # models evaluated per (card, parameter environment): a thousand MOSFETs of one
        # model read its card once (the env is kept so that its id stays unique)
        self._models: dict[tuple[int, int], tuple[dict, Model]] = {}
        self._sizes: dict[int, int | None] = {}           # see expanded_size
        self._scope_subs: dict[int, list] = {}
        self._targets: dict[tuple[int, int], tuple] = {}
        self.name_chars = 0

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
            self.name_chars += len(full)
        return idx

    # --- parameters ---------------------------------------------------------------------
    def _defaults(self, sub: Scope, todo: list[tuple[str, str]], env) -> None:
        """Subcircuit defaults into `env`, in order; one that reads a default defined
        after it waits for it (passes until nothing more can be evaluated)."""
        while todo:
            later = []
            for pname, text in todo:
                try:
                    env[pname] = _value_raw(text, env, self.funcs)
                except ExprError as exc:
                    if exc.missing is not None and any(exc.missing == p for p, _ in todo):
                        later.append((pname, text))
                        continue
                    raise sub.card.error(f"parameter '{pname}': {exc}") from None
            if len(later) == len(todo):
                pname, text = later[0]
                _value(text, env, self.funcs, sub.card, f"parameter '{pname}'")
            todo = later

    def eval_params(self, scope: Scope, env: dict, skip=None) -> dict:
        """Evaluate a scope's .params into `env` in order, as ngspice does; forward references
        are allowed: a parameter that fails is tried again, in later passes over those that
        failed, until a pass defines nothing new. A parameter that failed on an unknown name
        is only tried again once that name is defined (or any name is redefined): tried
        earlier it would fail the same way, and trying it again on every pass is quadratic
        in the number of parameters."""
        if skip is None:
            skip = self.overrides if scope is self.deck.top else ()
        entries = [(k, name, text, card) for k, (name, text, card) in enumerate(scope.params)
                   if name not in skip]
        if not entries:
            return env
        import heapq

        current = list(range(len(entries)))
        waiting: dict[str, list[int]] = {}       # unknown name -> entries that need it
        stuck: list[int] = []                    # failed otherwise: wait for a redefinition
        failed: dict[int, str] = {}              # the last failure of each
        trees: dict[int, object] = {}            # parsed once, evaluated when tried again
        dead: list[int] = []                     # cannot be parsed
        while current:
            heap = current
            heapq.heapify(heap)
            later: list[int] = []
            progress = False
            while heap:
                i = heapq.heappop(heap)
                _, name, text, card = entries[i]
                try:
                    tree = trees.get(i)
                    if tree is None and parse_number(_unquote(text)) is None:
                        try:
                            tree = trees[i] = parse_expr(_unquote(text))
                        except ExprError as exc:
                            failed[i] = str(exc)
                            dead.append(i)            # bad syntax: never worth a retry
                            continue
                    val = _value_raw(text, env, self.funcs, tree)
                except ExprError as exc:
                    failed[i] = str(exc)
                    missing = exc.missing
                    if missing is not None and missing not in env:
                        waiting.setdefault(missing, []).append(i)
                    else:
                        stuck.append(i)
                    continue
                redefined = name in env
                env[name] = val
                progress = True
                woken = waiting.pop(name, [])
                if redefined:
                    # a changed value may change what any failed one reads: all try again
                    woken += stuck
                    stuck = []
                    for more in waiting.values():
                        woken += more
                    waiting.clear()
                for j in woken:
                    if j > i:
                        heapq.heappush(heap, j)      # later in this pass, as in ngspice's order
                    else:
                        later.append(j)
            if not progress:
                later += stuck
                for more in waiting.values():
                    later += more
                break
            current = later
        else:
            later = stuck + [j for more in waiting.values() for j in more]
        later += dead
        if later:
            # the first that failed, in card order; evaluated again it would fail the same way
            # (nothing it reads has changed since)
            _, name, text, card = entries[min(later)]
            raise card.error(f"parameter '{name}': {failed[min(later)]}")
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

    def lookup_bin(self, scope: Scope, name: str, env: dict, length: float,
                   width: float) -> Model | None:
        """ngspice's model binning (inpgmod.c): of the models NAME.N of the nearest scope
        that has any, in card order, the first whose LMIN <= L <= LMAX and WMIN <= W <= WMAX
        (a card without all four limits is no bin); None when there are no such models, a
        ValueError when none holds L and W."""
        s: Scope | None = scope
        stem = name.lower() + "."
        while s is not None:
            bins = [k for k in s.models if k.startswith(stem) and k[len(stem):].isdigit()]
            if bins:
                for key in bins:
                    p = self.lookup_model(s, key, env).params
                    if all(k in p for k in ("lmin", "lmax", "wmin", "wmax")) and (
                            p["lmin"] <= length <= p["lmax"]
                            and p["wmin"] <= width <= p["wmax"]):
                        return self.lookup_model(s, key, env)
                raise ValueError(f"no bin of model '{name}' ({', '.join(bins)}) holds "
                                 f"L={length:g} W={width:g}")
            s = s.parent
        return None

    def make_model(self, card: Card, env: dict) -> Model:
        toks = split_tokens(card.text)
        name, kind = toks[1].lower(), toks[2].lower()
        try:
            pos, kw = _split_kw(toks[3:])
        except ValueError as exc:
            raise card.error(f"model {name}: {exc}") from None
        # VERSION is a release name (3.3.0), not a number: kept as text for the device
        params = {k: v if k == "version" else
                  _value(v, env, self.funcs, card, f"model {name} parameter {k}")
                  for k, v in kw.items()}
        if kind in ("nmos", "pmos") and params.get("level") in (8.0, 49.0, 14.0, 54.0):
            # BSIM3/4 parameters read but not used (the device table imports numba: only
            # here)
            if params.get("level") in (8.0, 49.0):
                from edapipe.analog.devices.bsim3_params import inert_note
            else:
                from edapipe.analog.devices.bsim4_params import inert_note
            note = inert_note(params)
            if note and card.warning(f"model {name}: {note}") not in self.warnings:
                self.warnings.append(card.warning(f"model {name}: {note}"))
        from edapipe.analog.devices.model_cards import split_card
        try:
            split = split_card(kind, params)
        except ValueError as exc:
            raise card.error(f"model {name}: {exc}") from None
        for note in split.warnings:
            if card.warning(f"model {name}: {note}") not in self.warnings:
                self.warnings.append(card.warning(f"model {name}: {note}"))
        return Model(name, kind, split.model, card, split.instance, split.dc_only)

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
        """Expand `scope`'s elements, depth first in card order; subcircuit instances with an
        explicit stack of frames (no Python recursion: a 500-level chain of subcircuits is
        no RecursionError), nested at most MAX_SUBCKT_DEPTH deep."""
        budget = limits.max_elements()
        tokens: dict[int, list[str]] = {}
        active = set(stack)               # subcircuits being expanded (recursion check)
        names = self.names
        elements = self.elements
        frames = [(iter(scope.elements), scope, prefix, portmap, env, stack, None)]
        while frames:
            it, scope, prefix, portmap, env, stack, _ = frames[-1]
            nested = len(frames) > 1
            for card in it:
                toks = tokens.get(id(card)) if nested else None
                if toks is None:
                    toks = split_tokens(card.text)
                    if nested:
                        # a card of a subcircuit is met once per instance: split it once
                        tokens[id(card)] = toks
                if not toks:
                    raise card.error(f"cannot read '{card.quote(card.text)}'")
                name = toks[0].lower()
                letter = name[0].upper()
                if letter not in SUPPORTED:
                    what = _UNSUPPORTED.get(letter)
                    if what:
                        raise card.error(f"element {card.quote(toks[0])}: {what} are not "
                                         f"supported")
                    raise card.error(f"unknown element type '{toks[0][0]}' in '{toks[0]}'")
                if letter == "X":
                    sub, sub_prefix, ports, sub_env, subname = self.instance(
                        scope, card, toks, prefix, portmap, env, stack, active)
                    if len(frames) >= MAX_SUBCKT_DEPTH:
                        raise card.error(f"{name}: subcircuits nested more than "
                                         f"{MAX_SUBCKT_DEPTH} deep")
                    active.add(subname)
                    frames.append((iter(sub.elements), sub, sub_prefix, ports, sub_env,
                                   stack + (subname,), card))
                    break                         # on with the new frame, back here later
                full = prefix + name
                if full in names:
                    raise card.error(f"element {name} is defined twice")
                names.add(full)
                self.name_chars += len(full)
                if letter == "B":
                    elements.append(self.behavioural(card, full, prefix, portmap, env))
                elif letter in "EFGH" and len(toks) > 3 and toks[3].lower() in _AS_B:
                    text = self.dependent_as_b(card, letter, toks, env)
                    elements.append(self.behavioural(card, full, prefix, portmap, env, text))
                else:
                    try:
                        elem = self.element(scope, card, letter, full, toks, prefix, portmap,
                                            env)
                    except ValueError as exc:
                        raise card.error(f"element {name}: {exc}") from None
                    elements.append(elem)
                if len(elements) > budget or self.name_chars > MAX_NAME_CHARS:
                    # the count before expanding (run) makes this a safety net
                    top = next((f[6] for f in frames if f[6] is not None), card)
                    raise self.too_many(top, len(elements))
            else:
                frames.pop()
                if stack:
                    active.discard(stack[-1])

    def too_many(self, card: Card, count) -> ResourceLimit:
        budget = limits.max_elements()
        what = "the netlist"
        toks = split_tokens(card.text)
        if toks and toks[0][:1] in "xX":
            what = f"subcircuit instance {card.quote(toks[0].lower())}"
        if self.name_chars > MAX_NAME_CHARS:
            return ResourceLimit(card.warning(
                f"{what}: the names of the flattened elements and nodes take more than "
                f"{MAX_NAME_CHARS >> 20} M characters (subcircuits nested too deep?)"))
        shown = f"{count:,} elements" if count <= budget else "more elements"
        return ResourceLimit(card.warning(
            f"{what} expands to {shown} than the limit of {budget:,} allows; raise it with "
            f"{limits.ELEMENTS_VARIABLE}=N" if count > budget else
            f"{what} brings the netlist to {count:,} elements, over the limit of {budget:,}; "
            f"raise it with {limits.ELEMENTS_VARIABLE}=N"))

    def _instance_target(self, scope: Scope, toks: list[str]):
        """(instance name, actual nodes, subcircuit name, its Scope or None, index of the
        first parameter token) of an X card; None when it names no subcircuit."""
        key = (id(scope), id(toks))
        hit = self._targets.get(key)
        if hit is not None and hit[0] is toks:
            return hit[1]
        got = self._target(scope, toks)
        self._targets[key] = (toks, got)
        return got

    def _target(self, scope: Scope, toks: list[str]):
        eq = toks.index("=") if "=" in toks else len(toks) + 1
        head = toks[1:eq - 1] if eq <= len(toks) else toks[1:]
        head = [t for t in head if t.lower() != "params:"]
        if not head:
            return None
        subname = head[-1].lower()
        return toks[0].lower(), head[:-1], subname, self.lookup_subckt(scope, subname), eq

    def expanded_size(self, scope: Scope) -> int:
        """Elements `scope` expands to (at most the budget + 1), counted without expanding:
        per subcircuit definition once, with an explicit stack. Unknown and recursive
        subcircuits count nothing here (expansion reports them)."""
        cap = limits.max_elements() + 1
        memo = self._sizes
        todo = [(scope, False)]
        while todo:
            sc, done = todo.pop()
            key = id(sc)
            if not done:
                if key in memo:
                    continue
                memo[key] = None                  # being counted: a cycle counts 0
                todo.append((sc, True))
                for sub in self._subs_of(sc):
                    if sub is not None and id(sub) not in memo:
                        todo.append((sub, False))
                continue
            total = 0
            subs = iter(self._subs_of(sc))
            for card in sc.elements:
                if self._is_instance(card):
                    sub = next(subs)
                    total += (memo.get(id(sub)) or 0) if sub is not None else 0
                else:
                    total += 1
            memo[key] = min(total, cap)
        return memo[id(scope)] or 0

    @staticmethod
    def _is_instance(card: Card) -> bool:
        """Whether expand sees an X card (its first token starts with X)."""
        first = card.text[:1]
        if first in "xX":
            return True
        if first not in " \t,()={'":
            return False
        toks = split_tokens(card.text)
        return bool(toks) and toks[0][:1] in "xX"

    def _subs_of(self, scope: Scope) -> list:
        """The Scope (or None) each X card of `scope` instantiates, in card order."""
        key = id(scope)
        got = self._scope_subs.get(key)
        if got is None:
            got = []
            for card in scope.elements:
                if self._is_instance(card):
                    target = self._instance_target(scope, split_tokens(card.text))
                    got.append(target[3] if target is not None else None)
            self._scope_subs[key] = got
        return got

    def check_size(self, scope: Scope) -> None:
        """Refuse, before expanding anything, a netlist that expands past the budget: the
        card named is the top-level instance that crosses it (or the element, when the
        netlist is that large without subcircuits)."""
        budget = limits.max_elements()
        if self.expanded_size(scope) <= budget:
            return
        total = 0
        for card in scope.elements:
            if self._is_instance(card):
                target = self._instance_target(scope, split_tokens(card.text))
                size = (self._sizes.get(id(target[3])) or 0) if target and target[3] else 0
            else:
                size = 1
            total += size
            if total > budget:
                raise self.too_many(card, size if size > 1 else total)

    def instance(self, scope, card, toks, prefix, portmap, env, stack, active=()):
        """Set up one subcircuit instance: (Scope, prefix, port map, parameters, name)."""
        name = toks[0].lower()
        target = self._instance_target(scope, toks)
        if target is None:
            raise card.error(f"subcircuit instance {name} names no subcircuit")
        _, actual, subname, sub, eq = target
        if sub is None:
            raise card.error(f"{name}: unknown subcircuit '{subname}'")
        if subname in active:
            raise card.error(f"{name}: recursive subcircuit '{subname}' "
                             f"({' -> '.join(stack + (subname,))})")
        if len(actual) != len(sub.ports):
            raise card.error(f"{name}: subcircuit '{subname}' has {len(sub.ports)} ports, "
                             f"{len(actual)} nodes given")
        try:
            _, kw = _split_kw(toks[eq - 1:] if eq <= len(toks) else [])
        except ValueError as exc:
            raise card.error(f"{name}: {exc}") from None
        # the instance's own parameters in front of the top level's (not a copy of them:
        # a million instances of a deck with many parameters would copy them all each time)
        # ngspice's order: the instance's values (read where the instance is), then the
        # defaults it does not give, which may read those values and each other; an
        # instance value also replaces the subcircuit's own .param of that name
        new_env = ChainMap({}, self.top_env)
        defaults = dict(sub.defaults)
        for pname, text in kw.items():
            if pname not in defaults and not any(p[0] == pname for p in sub.params):
                self.warnings.append(card.warning(f"{name}: subcircuit '{subname}' has no "
                                                  f"parameter '{pname}'"))
            new_env[pname] = _value(text, env, self.funcs, card, f"parameter '{pname}'")
        self._defaults(sub, [(p, t) for p, t in sub.defaults if p not in kw], new_env)
        self.eval_params(sub, new_env, skip=kw)
        ports = {p: self.node(a, prefix, portmap) for p, a in zip(sub.ports, actual)}
        return sub, prefix + name + ".", ports, new_env, subname

    def element(self, scope, card, letter, full, toks, prefix, portmap, env) -> Element:
        short = toks[0].lower()
        nn = _NODE_COUNT.get(letter)
        if letter == "Q":
            nn = 3
        if letter == "K":
            nn = 0
        if letter in "EFGH" and len(toks) > 3 and toks[3].lower() in _DEP_FORMS:
            # before the nodes are read: `E1 a b POLY(1) c d ...` would read POLY as a node
            form = toks[3].upper()
            raise ValueError(f"the {form} form of {letter} sources is not supported")
        if nn and len(toks) < nn + 1:
            raise ValueError(f"needs {nn} nodes, got {len(toks) - 1}")
        if letter == "T" and "=" in toks[1:nn + 2]:
            raise ValueError(f"needs {nn} nodes before its parameters")
        rest = toks[1 + nn:]
        if letter == "T":
            rest = _tline_ic(rest)
        pos, kw = _split_kw(rest) if letter not in "VI" else (rest, {})
        val = lambda t, what="value": _value(t, env, self.funcs, card, f"{short} {what}")  # noqa: E731
        nodes = [self.node(t, prefix, portmap) for t in toks[1:1 + nn]]
        el = Element(letter, full, nodes, card)
        if letter in "RCL":
            self.passive(scope, card, el, pos, kw, val, env, short)
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
        elif letter in "SW":
            self.switch(scope, el, pos, kw, prefix, env)
        elif letter == "T":
            el.params = _tline_params(pos, kw, val)
        elif letter in "DQMJ":
            self.semiconductor(scope, el, toks, pos, kw, prefix, portmap, val, env)
        return el

    def passive(self, scope, card, el: Element, pos: list[str], kw: dict, val, env,
                short: str) -> None:
        """R, C, L: the value (positional, keyword or from an R/C model), the model named
        before or after it, and the instance multipliers M and SCALE as ngspice applies
        them."""
        letter = el.letter
        model = None
        if pos and parse_number(pos[0]) is None and not pos[0].startswith(("{", "'")):
            model = self.lookup_model(scope, pos[0], env)
            if model is not None:
                pos = pos[1:]
        key = {"R": "r", "C": "c", "L": "l"}[letter]
        value_first = model is None and len(pos) > 1
        if value_first:
            # `R1 a b 10k rmod`: the value, then the model (ngspice reads both orders)
            model = self.lookup_model(scope, pos[1], env)
            if model is None:
                raise ValueError(f"'{pos[1]}' after the value is not a model name")
            pos = pos[:1] + pos[2:]
        if len(pos) > 1:
            raise ValueError(f"unexpected '{pos[1]}' after the value")
        long_key = {"R": "resistance", "C": "capacitance", "L": "inductance"}[letter]
        if model is not None:
            for k, v in model.instance.items():
                if k == long_key and value_first:
                    # ngspice 39: `R1 a b 3k rmod` takes the model's RESISTANCE over 3k
                    # (checked; `R1 a b rmod 3k` and `r=3k` keep 3k)
                    pos = []
                if not (k == long_key and (pos or key in kw)):
                    kw.setdefault(k, repr(v))
        if pos:
            el.value = val(pos[0])
        elif key in kw:
            el.value = val(kw.pop(key))
        elif long_key in kw:
            el.value = val(kw.pop(long_key))
        elif model is not None:
            el.value = _model_rc_value(letter, model, kw, val)
        elif letter == "R":
            el.value = 0.0
        else:
            raise ValueError("has no value")
        el.model = model
        if letter == "R" and "tc" in kw:
            kw.setdefault("tc1", kw.pop("tc"))        # ngspice reads TC as TC1
        _check_passive_keys(letter, kw)
        el.params = {k: val(v, k) for k, v in kw.items()}
        _check_passive_values(letter, el.params)
        if letter == "R":
            scale = el.params.get("scale", 1.0)
            m = el.params.get("m", 1.0)
            if el.value == 0.0:
                self.warnings.append(card.warning(f"{short}: resistance too low, set to "
                                                  f"1 mOhm (as ngspice)"))
                el.value = 1e-3
            el.value = el.value * scale / m
            if "ac" in el.params:
                el.params["ac"] = el.params["ac"] * scale / m
        elif letter == "C":
            el.value *= el.params.get("m", 1.0) * el.params.get("scale", 1.0)
        elif letter == "L":
            el.value /= el.params.get("m", 1.0)

    def semiconductor(self, scope, el: Element, toks: list[str], pos: list[str], kw: dict,
                      prefix: str, portmap, val, env) -> None:
        """D, Q, M, J: the model (a BSIM bin chosen by L and W), the BJT's optional substrate
        node, the instance parameters and the OFF and AREA flags."""
        letter = el.letter
        if letter == "Q":
            # optional substrate node: the 4th token is a node unless it names a model
            if len(toks) > 5 and self.lookup_model(scope, toks[4], env) is None:
                el.nodes.append(self.node(toks[4], prefix, portmap))
                rest = toks[5:]
            else:
                rest = toks[4:]
            pos, kw = _split_kw(rest)
        if not pos:
            raise ValueError("names no model")
        model = self.lookup_model(scope, pos[0], env)
        if model is None and letter == "M" and "l" in kw and "w" in kw:
            model = self.lookup_bin(scope, pos[0], env, val(kw["l"], "l"),
                                    val(kw["w"], "w"))
        if model is None:
            raise ValueError(f"unknown model '{pos[0]}'")
        want = {"D": ("d",), "Q": ("npn", "pnp"), "M": ("nmos", "pmos"),
                "J": ("njf", "pjf")}[letter]
        if model.kind not in want:
            raise ValueError(f"model '{model.name}' is {model.kind}, not {'/'.join(want)}")
        el.model = model
        flags = [p.lower() for p in pos[1:]]
        extra = frozenset()
        if letter == "M" and model.params.get("level") in (14.0, 54.0):
            # BSIM4 reads fingers, layout and stress instance parameters too
            from edapipe.analog.devices.bsim4_params import INSTANCE_EXTRA as extra
        for k, v in model.instance.items():
            kw.setdefault(k, repr(v))
        _check_instance_keys(letter, kw, extra)
        el.params = {k: val(v, k) for k, v in kw.items()}
        for f in flags:
            if f == "off":
                el.params["off"] = 1.0
            elif "area" not in el.params:
                el.params["area"] = val(f, "area")

    def switch(self, scope, el: Element, pos: list[str], kw: dict, prefix: str,
               env: dict) -> None:
        """S n+ n- nc+ nc- model [on|off], W n+ n- vcontrol model [on|off] (ngspice's sw
        and csw): the model, the controlling source (W) and the initial-state flag."""
        if kw:
            raise ValueError(f"instance parameter '{next(iter(kw))}' is unknown (a switch "
                             f"reads only the flags ON and OFF)")
        if el.letter == "W":
            if not pos:
                raise ValueError("names no controlling voltage source")
            el.control = prefix + pos[0].lower()
            pos = pos[1:]
        if not pos:
            raise ValueError("names no model")
        model = self.lookup_model(scope, pos[0], env)
        if model is None:
            raise ValueError(f"unknown model '{pos[0]}'")
        want = "sw" if el.letter == "S" else "csw"
        if model.kind != want:
            raise ValueError(f"model '{model.name}' is {model.kind}, not {want}")
        el.model = model
        flags = [f.lower() for f in pos[1:]]
        for f in flags:
            if f not in ("on", "off"):
                raise ValueError(f"unexpected '{f}' (a switch takes ON or OFF)")
        if len(set(flags)) > 1:
            raise ValueError("both ON and OFF given")
        if "on" in flags:
            el.params["on"] = 1.0

    def dependent_as_b(self, card, letter, toks, env) -> str:
        """An E/G VALUE or TABLE, or an E/F/G/H POLY(n), written as the B source it is
        (`name n+ n- V=expr` for E/H, `I=expr` for G/F): VALUE={expr}; TABLE {x} = (x1,y1)
        (x2,y2) ... is linear between the points and flat beyond them; POLY(n) is SPICE's
        polynomial p0 + p1 x1 + ... + pn xn + p(n+1) x1^2 + p(n+2) x1 x2 + ... (the terms
        of each degree in the order of combinations with repetition, as ngspice 39's
        spice2poly), x the controlling voltages (E/G: n node pairs) or currents (F/H: n
        voltage sources)."""
        name = toks[0].lower()
        form = toks[3].lower()
        kind = "V" if letter in "EH" else "I"

        def val(tok, what):
            return _value(tok, env, self.funcs, card, f"{name} {what}")

        if form == "value":
            m = re.search(r"\bvalue\b\s*=?\s*(.+)$", card.text, re.IGNORECASE | re.DOTALL)
            expr = _unquote(m.group(1).strip()) if m else ""
            if not expr.strip():
                raise card.error(f"element {name}: VALUE needs an expression")
        elif form == "table":
            m = re.search(r"\btable\b\s*(\{[^}]*\}|'[^']*'|[^\s=]+)\s*=?\s*(.*)$", card.text,
                          re.IGNORECASE | re.DOTALL)
            nums = [t for t in re.split(r"[\s,()]+", m.group(2)) if t] if m else []
            if not m or len(nums) < 2 or len(nums) % 2:
                raise card.error(f"element {name}: TABLE needs an expression and (x, y) "
                                 f"pairs")
            pts = [val(t, "TABLE point") for t in nums]
            if any(b < a for a, b in zip(pts[0::2], pts[2::2])):
                raise card.error(f"element {name}: TABLE x values must not decrease")
            expr = f"table({_unquote(m.group(1))}, {', '.join(repr(v) for v in pts)})"
        else:
            expr = self._poly(card, letter, name, toks[4:], val)
        return f"{toks[0]} {toks[1]} {toks[2]} {kind}={expr}"

    @staticmethod
    def _poly(card, letter, name, rest, val) -> str:
        import itertools

        if not rest:
            raise card.error(f"element {name}: POLY needs its dimension, POLY(n)")
        n = val(rest[0], "POLY dimension")
        if n != int(n) or not 1 <= n <= 20:
            raise card.error(f"element {name}: POLY({n:g}): the dimension must be 1 to 20")
        n = int(n)
        width = 2 * n if letter in "EG" else n
        ctrl, coefs = rest[1:1 + width], rest[1 + width:]
        if len(ctrl) < width or not coefs:
            raise card.error(f"element {name}: POLY({n}) needs {width} controlling "
                             f"{'nodes' if letter in 'EG' else 'sources'} and coefficients")
        if letter in "EG":
            xs = [f"v({a},{b})" for a, b in zip(ctrl[0::2], ctrl[1::2])]
        else:
            xs = [f"i({v})" for v in ctrl]
        # (one coefficient alone is p0 in ngspice 39, not SPICE2's linear gain)
        ps = [val(c, "POLY coefficient") for c in coefs]
        terms, k, degree = [], 0, 0
        while k < len(ps):
            for mono in itertools.combinations_with_replacement(range(n), degree):
                if k >= len(ps):
                    break
                if ps[k] != 0.0:
                    terms.append("*".join([f"({ps[k]!r})"] + [xs[i] for i in mono]))
                k += 1
            degree += 1
        return " + ".join(terms) or "0"

    def behavioural(self, card, full, prefix, portmap, env, text=None) -> Element:
        """B n+ n- I=expr | V=expr. v(a), v(a,b), i(vsrc) and TIME become variables of the
        expression; parameters are folded in now (quotes and braces around them dropped).
        `text`: the card as a B source (an E/F/G/H in VALUE, TABLE or POLY form)."""
        m = re.match(r"\s*(\S+)\s+(\S+)\s+(\S+)\s+([IV])\s*=\s*(.+)$", text or card.text,
                     re.IGNORECASE | re.DOTALL)
        if not m:
            raise card.error(f"element {full}: expected 'B n+ n- I=expr' or 'V=expr'")
        nodes = [self.node(m.group(2), prefix, portmap), self.node(m.group(3), prefix, portmap)]
        text, extra = m.group(5), {}
        while (kw := _B_TRAILING.search(text)) is not None:
            # TC1/TC2/TEMP/DTEMP after the expression: ngspice's ASRC temperature factor
            extra[kw.group(1).lower()] = _value(kw.group(2), env, self.funcs, card,
                                                f"{full} {kw.group(1).lower()}")
            text = text[:kw.start()]
        text = text.replace("'", " ").replace("{", "(").replace("}", ")")
        if self.func_texts:
            try:
                text = _inline_probing_funcs(text, self.func_texts)
            except ExprError as exc:
                raise card.error(f"element {full}: {exc}") from None
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
            _probe_b(tree, len(deps), self.funcs, env)
        except ExprError as exc:
            raise card.error(f"element {full}: {exc}") from None
        el = Element("B", full, nodes, card)
        # the parameters as they are now (nothing changes them after expansion), not a copy
        el.params = {"kind": m.group(4).upper(), "tree": tree, "deps": deps,
                     "env": env, "funcs": self.funcs, **extra}
        return el

    def run(self) -> Circuit:
        deck = self.deck
        func_cards: dict[str, Card] = {}
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
                if _PROBE_RE.search(body):
                    self.func_texts[m.group(1).lower()] = (args, body)
            except ExprError as exc:
                raise card.error(f".func {m.group(1)}: {exc}") from None
            func_cards[m.group(1).lower()] = card
        _check_func_cycles(self.funcs, func_cards)
        self.top_env = self.eval_params(deck.top, dict(self.overrides))
        self.top_env.update(self.overrides)
        self.check_size(deck.top)
        self.expand(deck.top, "", {}, self.top_env, ())
        opts = parse_options(deck.options, self.top_env, self.funcs)
        _check_options(deck.options, self.warnings, self.top_env, self.funcs)
        temp = float(opts.get("temp", 27.0))
        for card in deck.temps:
            toks = split_tokens(card.text)
            if len(toks) > 1:
                temp = _value(toks[1], self.top_env, self.funcs, card, ".temp")
        circ = Circuit(deck.title, self.nodes, self.elements, opts, deck.analyses, {}, {},
                       temp, self.warnings, deck.path)
        circ.params = self.top_env
        circ.funcs = self.funcs
        circ.deck = deck
        horizon = 0.0
        for card in deck.analyses:
            toks = [t for t in split_tokens(card.text) if t.lower() != "uic"]
            if toks[0].lower() == ".tran" and len(toks) > 2:
                try:
                    horizon = max(horizon, _value_raw(toks[2], self.top_env, self.funcs))
                except ExprError:
                    pass                   # parse_analysis reports the card
        expand_sources(circ, horizon)
        for cards, target in ((deck.ics, circ.ics), (deck.nodesets, circ.nodesets)):
            for card in cards:
                body = card.text.split(None, 1)[1] if len(card.text.split()) > 1 else ""
                for m in re.finditer(r"v\(\s*([^)\s]+)\s*\)\s*=\s*(\S+)", body, re.I):
                    idx = self.node_ids.get(m.group(1).lower())
                    if idx is None:
                        raise card.error(f"unknown node '{m.group(1)}'")
                    target[idx] = _value(m.group(2), self.top_env, self.funcs, card, "value")
        return circ


# options the simulator reads as numbers (analyses.Options, mna, devices)
_NUMERIC_OPTIONS = {"reltol", "abstol", "vntol", "chgtol", "trtol", "gmin", "itl1", "itl2",
                    "itl4", "gminsteps", "gminfactor", "srcsteps", "maxord", "tnom", "temp",
                    "defl", "defw", "defad", "defas"}


# options read elsewhere (analyses.Options, fourier.py)
_OTHER_OPTIONS = {"method", "nfreqs", "fourgridsize", "polydegree"}
# ngspice options about listings, accounting and saved vectors: no answer changes
_NO_EFFECT_OPTIONS = {"acct", "noacct", "list", "nolist", "node", "nonode", "opts", "nopage",
                      "post", "numdgt", "nomod", "noinit", "norefvalue", "warn", "maxwarns",
                      "savecurrents", "keepopinfo", "klu", "sparse", "trans", "brief"}
# ngspice options that change results and are not implemented here
_REFUSED_OPTIONS = {"scale": "scales MOS and element geometry",
                    "rshunt": "adds a resistor from every node to ground",
                    "cshunt": "adds a capacitor from every node to ground",
                    "ramptime": "ramps the sources at the start of a transient",
                    "xmu": "damps the trapezoidal integration",
                    "interp": "interpolates the output onto the TSTEP grid",
                    "noopiter": "skips the plain Newton operating point",
                    "pivtol": "sets the LU pivot threshold", "pivrel": "sets the pivot ratio",
                    "seed": "seeds the random sources"}


def _check_options(cards: list[Card], warnings: list, env: dict | None = None,
                   funcs: dict | None = None) -> None:
    """A numeric option must be a finite number (`.options reltol=abc` is a located error,
    not a traceback when the simulator reads it). An option that would change the results
    and is not implemented is a located error; one we do not know is a located warning."""
    for card in cards:
        for key, val in parse_options([card], env, funcs).items():
            if key in _REFUSED_OPTIONS and not (key == "scale" and val == 1.0):
                raise card.error(f".options {key}: not supported (it "
                                 f"{_REFUSED_OPTIONS[key]})")
            if key not in _NUMERIC_OPTIONS:
                if key not in _OTHER_OPTIONS and key not in _NO_EFFECT_OPTIONS:
                    warnings.append(card.warning(f".options {key}: unknown to edapipe, "
                                                 f"ignored"))
                continue
            if isinstance(val, str):
                raise card.error(f".options {key}={val}: needs a number")
            if not math.isfinite(val):
                raise card.error(f".options {key}: {val} is not a finite number")


def _calls(tree) -> set[str]:
    """Names of the functions an expression tree calls (explicit stack)."""
    out = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        tag = node[0]
        if tag == "call":
            out.add(node[1])
            todo.extend(node[2])
        elif tag == "bin":
            todo.append(node[2])
            todo.append(node[3])
        elif tag == "?":
            todo.extend(node[1:])
        elif tag in ("neg", "pos", "not"):
            todo.append(node[1])
    return out


def _check_func_cycles(funcs: dict, cards: dict[str, Card]) -> None:
    """A .func that calls itself, directly or through others, is an error at its card that
    names the cycle (ngspice inlines functions: recursion can never end)."""
    graph = {name: sorted(c for c in _calls(body) if c in funcs)
             for name, (_, body) in funcs.items()}
    state: dict[str, int] = {}          # 1 on the current path, 2 done
    for root in funcs:
        if root in state:
            continue
        path = [root]
        iters = [iter(graph[root])]
        state[root] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise cards[nxt].error(f".func {nxt}: recursive function: "
                                       f"{' -> '.join(cycle)}")
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(graph[nxt]))


# evaluation errors that depend on the operating point, not on the expression: an
# expression such as ln(v(1)) is fine where the circuit takes it
_POINT_ERRORS = ("outside its domain", "division by zero", "too large", "modulo by zero")


def _probe_b(tree, n_deps: int, funcs: dict, env: dict) -> None:
    """Evaluate a B expression once with made-up inputs, for the errors every point would
    have (unknown names and functions, wrong arities); a numeric error at the made-up point
    is left to the simulation, which reports it where it happens."""
    for value in (0.0, 1.0):
        probe = {f"__d{k}": value for k in range(n_deps)}
        probe["time"] = value
        try:
            evaluate(tree, probe, funcs, outer=env)
            return
        except ExprError as exc:
            if not any(w in str(exc) for w in _POINT_ERRORS):
                raise


_B_TRAILING = re.compile(r"\s+(tc1|tc2|temp|dtemp)\s*=\s*([^\s=]+)\s*$", re.IGNORECASE)
_PROBE_RE = re.compile(r"\b[vi]\s*\(", re.IGNORECASE)
_MAX_INLINE = 1000          # .func calls expanded in one B expression (a cycle ends here)


def _inline_probing_funcs(text: str, funcs: dict[str, tuple[list[str], str]]) -> str:
    """Calls of .func bodies that read v() or i() written out in a B expression, as ngspice
    does: the arguments replace the parameters, except inside v()/i(), whose names are
    nodes and sources (`.func bar(p) 'v(p)+p'`: bar(17) is v(p)+17)."""
    call = re.compile(r"\b(" + "|".join(map(re.escape, funcs)) + r")\s*\(", re.IGNORECASE)
    for _ in range(_MAX_INLINE):
        m = call.search(text)
        if m is None:
            return text
        depth, i, args, start = 1, m.end(), [], m.end()
        while i < len(text) and depth:
            ch = text[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if (ch == "," and depth == 1) or depth == 0:
                args.append(text[start:i].strip())
                start = i + 1
            i += 1
        if depth:
            raise ExprError(f"unbalanced parentheses after '{m.group(1)}('")
        params, body = funcs[m.group(1).lower()]
        args = [a for a in args if a] if not params else args
        if len(args) != len(params):
            raise ExprError(f"function '{m.group(1)}' takes {len(params)} arguments")
        pieces = re.split(r"(\b[vi]\s*\([^()]*\))", body, flags=re.IGNORECASE)
        for k in range(0, len(pieces), 2):          # outside v()/i(): the parameters
            for p, a in zip(params, args):
                pieces[k] = re.sub(rf"\b{re.escape(p)}\b", f"({a})", pieces[k],
                                   flags=re.IGNORECASE)
        text = text[:m.start()] + "(" + "".join(pieces) + ")" + text[i:]
    raise ExprError(f"more than {_MAX_INLINE} function calls to expand (a recursive .func?)")


def _model_rc_value(letter, model, kw, val) -> float:
    p = model.params
    if letter == "R":
        # ngspice's semiconductor resistor (resmpar.c, restemp.c; checked against ngspice
        # 39): R = RSH (L - 2 SHORT) / (W - 2 NARROW), L and W from the instance, else the
        # model's L and DEFW (alias W), 10 um each; without RSH the model's R. W = 2 NARROW
        # gives an open circuit (ngspice's division by zero: no DC current, res_array R3)
        rsh = p.get("rsh", 0.0)
        # L and W stay instance parameters: the flicker noise reads them too
        length = val(kw["l"]) if "l" in kw else p.get("l", 10e-6)
        width = val(kw["w"]) if "w" in kw else p.get("defw", 10e-6)
        narrow = p.get("narrow", p.get("dw", 0.0))
        short = p.get("short", p.get("dlr", 0.0))
        if rsh:
            den = width - 2.0 * narrow
            return rsh * (length - 2.0 * short) / den if den != 0.0 else math.inf
        # the model's R, else 0: ngspice then warns and takes 1 mOhm (checked on ngspice 39)
        return p.get("r", 0.0)
    if letter == "C":
        if "cap" in p and "cj" not in p and "cjsw" not in p:
            return p["cap"]
        cj = p.get("cj", 0.0)
        length = val(kw.pop("l")) if "l" in kw else p.get("defl", 0.0)
        width = val(kw.pop("w")) if "w" in kw else p.get("defw", 0.0)
        narrow = p.get("narrow", 0.0)
        return cj * (length - narrow) * (width - narrow) + p.get("cjsw", 0.0) * 2 * (
            length + width - 2 * narrow)
    if letter == "L" and "ind" in p:
        return p["ind"]
    raise ValueError("has no value")


# element letters ngspice knows and we do not run: said by name, not "unknown"
_UNSUPPORTED = {"A": "XSPICE code-model instances (A devices: lcouple, core, adc, ...)",
                "Z": "MESFETs (Z)",
                "O": "lossy transmission lines (O)", "U": "uniform RC lines (U)",
                "Y": "transmission lines (Y)", "N": "OSDI / Verilog-A devices (N)",
                "P": "coupled transmission lines (P)"}
# forms of controlled sources that are not a gain: read as B sources, or refused (located,
# before the nodes are read)
_AS_B = ("poly", "value", "table")
_DEP_FORMS = ("laplace", "freq", "vol", "cur")
_SRC_FUNCS = ("pulse", "sin", "pwl", "exp", "sffm", "am")
_SRC_WORDS = _SRC_FUNCS + ("sine", "dc", "ac", "distof1", "distof2")


_TLINE_KEYS = ("z0", "td", "f", "nl", "v1", "i1", "v2", "i2")


def _tline_ic(rest: list[str]) -> list[str]:
    """`IC=v1,i1,v2,i2` (read as `ic = v1 i1 v2 i2`) as the four keywords it sets."""
    out, i = [], 0
    while i < len(rest):
        if rest[i].lower() == "ic" and i + 1 < len(rest) and rest[i + 1] == "=":
            vals = []
            i += 2
            while i < len(rest) and len(vals) < 4 and not (
                    i + 1 < len(rest) and rest[i + 1] == "="):
                vals.append(rest[i])
                i += 1
            if not vals:
                raise ValueError("'ic=' has no value")
            for key, v in zip(("v1", "i1", "v2", "i2"), vals):
                out += [key, "=", v]
            continue
        out.append(rest[i])
        i += 1
    return out


def _tline_params(pos: list[str], kw: dict, val) -> dict:
    """T n1+ n1- n2+ n2- Z0= (ZO=) TD= | F= [NL=], initial values: ngspice's TRA."""
    if pos:
        raise ValueError(f"unexpected '{pos[0]}' (a transmission line takes Z0=, TD= or "
                         f"F= and NL=, IC=)")
    params = {}
    for key, text in kw.items():
        name = "z0" if key == "zo" else key
        if name not in _TLINE_KEYS:
            raise ValueError(f"instance parameter '{key}' is unknown (a lossless line "
                             f"reads Z0 TD F NL IC V1 I1 V2 I2)")
        params[name] = val(text, key)
    if "z0" not in params:
        raise ValueError("transmission line Z0 must be given")
    if not params["z0"] > 0.0:
        raise ValueError(f"Z0 = {params['z0']:g} must be positive")
    if "td" in params:
        if not params["td"] > 0.0:
            raise ValueError(f"TD = {params['td']:g} must be positive")
    else:
        f, nl = params.get("f", 1e9), params.get("nl", 0.25)
        if not (f > 0.0 and nl > 0.0):
            raise ValueError("F and NL must be positive (the delay is NL/F)")
    return params


def _parse_source(toks: list[str], val) -> Source:
    src = Source()
    i = 0
    n = len(toks)
    pwl_opts: dict[str, float] = {}

    def numeric(k):
        return k < n and toks[k] != "=" and toks[k].lower() not in _SRC_WORDS

    while i < n:
        word = toks[i].lower()
        if i + 1 < n and toks[i + 1] == "=":  # dc=0 ac=1, PWL's td= r=
            if i + 2 >= n:
                raise ValueError(f"'{toks[i]}=' has no value")
            if word == "dc":
                src.dc = val(toks[i + 2])
            elif word == "ac":
                src.ac_mag = val(toks[i + 2])
            elif word in ("td", "r") and src.kind == "pwl":
                pwl_opts[word] = val(toks[i + 2])
            else:
                raise ValueError(f"unknown source parameter '{toks[i]}='")
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
        elif word in _SRC_FUNCS or word == "sine":
            src.kind = "sin" if word == "sine" else word     # ngspice reads SINE as SIN
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
    if pwl_opts:
        _pwl_options(src, pwl_opts)
    return src


def _pwl_options(src: Source, opts: dict[str, float]) -> None:
    """PWL td= (every time point later by td) and r= (from the point at time r to the last
    one, repeated for ever), as ngspice 39 reads them."""
    if not src.args:
        raise ValueError("PWL has no time-value pairs")
    td = opts.get("td", 0.0)
    src.pwl_breaks = list(src.args[0::2])
    if td:
        src.args = [a + td if k % 2 == 0 else a for k, a in enumerate(src.args)]
    if "r" in opts:
        times = src.args[0::2]
        start = opts["r"] + td
        # ngspice repeats from the point whose time is r (checked against ngspice 39)
        hit = [k for k, t in enumerate(times) if abs(t - start) <= 1e-12 * max(abs(t), 1e-30)]
        if not hit:
            raise ValueError(f"PWL r={opts['r']:g} is not one of its time points")
        if times[-1] <= start:
            raise ValueError("PWL r= must be before the last time point")
        src.pwl_base = list(src.args)
        src.pwl_repeat = times[hit[0]]


def expand_sources(circ: "Circuit", horizon: float) -> None:
    """Repeating PWL sources written out up to `horizon` (a transient's TSTOP)."""
    for e in circ.elements:
        if e.source is not None and e.source.pwl_repeat is not None:
            expand_pwl(e.source, horizon, e.card)


MAX_PWL_POINTS = 2_000_000      # points of a repeated PWL written out (expand_pwl)


def expand_pwl(src: Source, horizon: float, card: Card | None = None) -> None:
    """Write a repeating PWL's points out up to time `horizon` (at least): the repeated part
    [r, last] follows the last point again and again, starting with a jump at it, as in
    ngspice. Idempotent; grows only when a later horizon needs more."""
    if src.pwl_repeat is None or horizon <= src.pwl_horizon:
        return
    base = src.pwl_base
    times, vals = base[0::2], base[1::2]
    first = next(k for k, t in enumerate(times) if t == src.pwl_repeat)
    period = times[-1] - src.pwl_repeat
    rep_t = [t - src.pwl_repeat for t in times[first:]]
    rep_v = vals[first:]
    copies = math.ceil((horizon - times[-1]) / period) + 1 if horizon > times[-1] else 1
    if copies * len(rep_t) > MAX_PWL_POINTS:
        reason = (f"PWL r=: repeating it up to t={horizon:g} s takes more than "
                  f"{MAX_PWL_POINTS:,} points")
        raise card.error(reason) if card is not None else ValueError(reason)
    # at the jump's own time ngspice 39 takes the new value, where a PWL's explicit double
    # point keeps the old one: mna.source_value reads a repeating source's double points
    # that way
    out = list(base)
    for k in range(copies):
        origin = times[-1] + k * period
        for t, v in zip(rep_t, rep_v):
            out += [origin + t, v]
    src.args = out
    src.pwl_horizon = times[-1] + copies * period


def flatten(deck: Deck, overrides: dict | None = None) -> Circuit:
    """Expand subcircuits and evaluate parameters (`overrides`: top-level .param values that
    replace the deck's, e.g. for a .dc sweep of a parameter)."""
    return _Flattener(deck, overrides).run()


def load(path: str) -> Circuit:
    from edapipe.analog.parser import read_deck

    return flatten(read_deck(path))


__all__ = ["Circuit", "Element", "Model", "Source", "flatten", "load", "parse_options"]

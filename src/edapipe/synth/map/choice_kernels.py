"""Numba kernels of mapping with structural choices (choices.py): the choice AIG's order and
the cut sets of its classes.

A representative's cut set is its own cuts merged with those of its choices (a choice of
phase 1 contributes its cuts complemented), as ABC's `if`/`amap` merge the cuts of a choice
node's equivalents: a mapper then picks, per representative, a cell over any of the
structures the class holds.
"""

import numpy as np

from edapipe.aig.cuts_kernels import FULL, _sig, _subset, cut_arrays, node_cuts
from edapipe.util.jit import njit


@njit(cache=True)
def _reaches(start0, start1, target, e0, e1, head, nxt, mark, stamp, stack, max_tfi):
    """Whether `target` is reachable from the variables start0/start1 through fanin edges
    (e0/e1 literals, -1 for an input) and the accepted choices of the representatives met
    (head: first choice, nxt: the next one), or the search passed max_tfi variables (then it
    might be: True)."""
    sp = 0
    for s in (start0, start1):
        if s >= 0 and mark[s] != stamp:
            mark[s] = stamp
            stack[sp] = s
            sp += 1
    seen = sp
    while sp > 0:
        sp -= 1
        x = stack[sp]
        if x == target:
            return True
        for k in range(2):
            y = (e0[x] >> 1) if k == 0 else (e1[x] >> 1)
            if e0[x] < 0:
                break
            if mark[y] != stamp:
                mark[y] = stamp
                stack[sp] = y
                sp += 1
                seen += 1
        y = head[x]
        while y >= 0:
            if mark[y] != stamp:
                mark[y] = stamp
                stack[sp] = y
                sp += 1
                seen += 1
            y = nxt[y]
        if seen > max_tfi:
            return True
    return False


@njit(cache=True)
def choice_order(base, f0, f1, rep, phase, co_lits, max_tfi):
    """The choice AIG of a union AIG (variables below `base` are the constant and the
    inputs; AND v has fanins f0/f1[v - base]) and its classes (rep/phase per variable, as
    dch.Choices): (new variable of each union variable or -1, new fanin0, new fanin1, new CO
    literals, choice head and next per new variable, choice phase per new variable, dropped).

    A fanin that is a choice is redirected to its representative (ABC's choice AIG: one node
    per class is referenced), unless that would give an AND both of whose fanins are one
    variable. A choice is accepted, in increasing variable order, only when its
    representative is not reachable from it through these edges and the choices accepted
    before (ABC's Dch_ObjCheckTfi): the choice AIG stays acyclic. The new order is a
    depth-first post-order from the COs in which a representative follows its choices."""
    n = base + f0.shape[0]
    e0, e1, head, nxt, acc, dropped = _accept_choices(base, f0, f1, rep, phase, max_tfi)
    co = np.empty(co_lits.shape[0], dtype=np.int64)
    for i in range(co_lits.shape[0]):
        lit = co_lits[i]
        x = lit >> 1
        co[i] = lit
        if acc[x]:
            co[i] = 2 * rep[x] + (phase[x] ^ (lit & 1))
    order, n_new = _post_order(base, n, e0, e1, head, nxt, co)
    new = np.full(n, -1, dtype=np.int64)
    for v in range(base):
        new[v] = v
    g0 = np.empty(n_new, dtype=np.int32)
    g1 = np.empty(n_new, dtype=np.int32)
    for i in range(n_new):
        x = order[i]
        new[x] = base + i
        a = e0[x]
        b = e1[x]
        na = 2 * new[a >> 1] + (a & 1)
        nb = 2 * new[b >> 1] + (b & 1)
        if na < nb:
            na, nb = nb, na
        g0[i] = na
        g1[i] = nb
    for i in range(co.shape[0]):
        lit = co[i]
        co[i] = 2 * new[lit >> 1] + (lit & 1)
    c_head, c_next, c_phase = _renumber_classes(base + n_new, order, n_new, new, head, nxt,
                                                phase)
    return new, g0, g1, co, c_head, c_next, c_phase, dropped


@njit(cache=True)
def _accept_choices(base, f0, f1, rep, phase, max_tfi):
    """The edges of the choice AIG (e0/e1 per variable: fanin literals, a fanin that is an
    accepted choice redirected to its representative; -1 for the constant and inputs) and
    its accepted choices in increasing variable order (head/nxt lists per representative,
    acc per variable), with the number dropped as possible cycles (choice_order)."""
    n = base + f0.shape[0]
    e0 = np.full(n, -1, dtype=np.int64)
    e1 = np.full(n, -1, dtype=np.int64)
    head = np.full(n, -1, dtype=np.int64)
    tail = np.full(n, -1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    acc = np.zeros(n, dtype=np.bool_)        # an accepted choice (its fanouts redirected)
    mark = np.zeros(n, dtype=np.int64)
    stack = np.empty(3 * n + 8, dtype=np.int64)
    dropped = 0
    for v in range(base, n):
        a = f0[v - base]
        b = f1[v - base]
        ra = a
        rb = b
        if acc[a >> 1]:
            ra = 2 * rep[a >> 1] + (phase[a >> 1] ^ (a & 1))
        if acc[b >> 1]:
            rb = 2 * rep[b >> 1] + (phase[b >> 1] ^ (b & 1))
        if (ra >> 1) == (rb >> 1):
            ra = a
            rb = b
        e0[v] = ra
        e1[v] = rb
        r = rep[v]
        if r < 0:
            continue
        if _reaches(ra >> 1, rb >> 1, r, e0, e1, head, nxt, mark, v + 1, stack, max_tfi):
            dropped += 1
            continue
        acc[v] = True
        if head[r] < 0:
            head[r] = v
        else:
            nxt[tail[r]] = v
        tail[r] = v
    return e0, e1, head, nxt, acc, dropped


@njit(cache=True)
def _post_order(base, n, e0, e1, head, nxt, co):
    """The ANDs reachable from the CO literals `co`, in a depth-first post-order whose
    children are the fanins, then (for a representative) its choices: every fanin and every
    choice comes before the variable. Returns (order, its length)."""
    order = np.empty(n, dtype=np.int64)
    stack = np.empty(3 * n + 8, dtype=np.int64)
    n_new = 0
    state = np.zeros(n, dtype=np.int8)       # 0 unseen, 1 on the stack, 2 done
    for i in range(co.shape[0]):
        root = co[i] >> 1
        if root < base or state[root] != 0:
            continue
        stack[0] = root
        sp = 1
        state[root] = 1
        while sp > 0:
            x = stack[sp - 1]
            pushed = False
            for k in range(2):
                y = (e0[x] if k == 0 else e1[x]) >> 1
                if y >= base and state[y] == 0:
                    state[y] = 1
                    stack[sp] = y
                    sp += 1
                    pushed = True
                    break
            if not pushed:
                y = head[x]
                while y >= 0:
                    if state[y] == 0:
                        state[y] = 1
                        stack[sp] = y
                        sp += 1
                        pushed = True
                        break
                    y = nxt[y]
            if not pushed:
                sp -= 1
                state[x] = 2
                order[n_new] = x
                n_new += 1
    return order, n_new


@njit(cache=True)
def _renumber_classes(m, order, n_new, new, head, nxt, phase):
    """The classes in the new numbering (m variables): head, next and phase per variable;
    a choice that is not in the new AIG is left out of its class."""
    c_head = np.full(m, -1, dtype=np.int64)
    c_next = np.full(m, -1, dtype=np.int64)
    c_phase = np.zeros(m, dtype=np.uint8)
    for i in range(n_new):
        x = order[i]
        y = head[x]
        last = -1
        while y >= 0:
            if new[y] >= 0:
                if last < 0:
                    c_head[new[x]] = new[y]
                else:
                    c_next[last] = new[y]
                last = new[y]
                c_phase[new[y]] = phase[y]
            y = nxt[y]
    return c_head, c_next, c_phase


@njit(cache=True)
def enumerate_choice_cuts(num_ci, f0, f1, head, nxt, phase, k, max_cuts, keep_dominated):
    """Cut sets of a choice AIG (enumerate_cuts' arrays): each AND's own cuts, and for a
    representative also those of its choices (complemented for a choice of phase 1; not
    their trivial cuts), duplicates and (without keep_dominated) dominated cuts dropped,
    the smallest max_cuts kept."""
    base = num_ci + 1
    leaves, sizes, tts, ncuts, buf_leaves, buf_sizes, buf_tts = \
        cut_arrays(base + f0.shape[0], k, max_cuts)
    # the merge of a class: its members' cuts, at most max_cuts each
    cap = max_cuts * 64
    m_leaves = np.zeros((cap, k), dtype=np.int32)
    m_sizes = np.zeros(cap, dtype=np.int32)
    m_tts = np.zeros(cap, dtype=np.uint64)
    m_sigs = np.zeros(cap, dtype=np.uint64)
    for g in range(f0.shape[0]):
        a = f0[g]
        b = f1[g]
        v = base + g
        node_cuts(v, a, b, leaves, sizes, tts, ncuts, k, max_cuts,
                  (a >> 1) >= base, (b >> 1) >= base, buf_leaves, buf_sizes, buf_tts,
                  keep_dominated)
        if head[v] < 0:
            continue
        nm = 0
        y = v
        while y >= 0 and nm < cap:
            flip = FULL if (y != v and phase[y] == 1) else np.uint64(0)
            for c in range(ncuts[y]):
                if nm >= cap:
                    break
                n = np.int64(sizes[y, c])
                row = leaves[y, c]
                sig = _sig(row, n)
                skip = False
                j = 0
                while j < nm:
                    sj = m_sigs[j]
                    nj = m_sizes[j]
                    if ((nj == n or (nj < n and not keep_dominated)) and (sj & ~sig) == 0
                            and _subset(m_leaves[j], nj, row, n)):
                        skip = True
                        break
                    if (n < nj and not keep_dominated and (sig & ~sj) == 0
                            and _subset(row, n, m_leaves[j], nj)):
                        last = nm - 1
                        m_leaves[j, :] = m_leaves[last, :]
                        m_sizes[j] = m_sizes[last]
                        m_tts[j] = m_tts[last]
                        m_sigs[j] = m_sigs[last]
                        nm -= 1
                        continue
                    j += 1
                if skip:
                    continue
                m_leaves[nm, :n] = row[:n]
                m_sizes[nm] = n
                m_tts[nm] = tts[y, c] ^ flip
                m_sigs[nm] = sig
                nm += 1
            y = head[v] if y == v else nxt[y]
        kept = 0
        for size in range(0, k + 1):
            for j in range(nm):
                if m_sizes[j] == size and kept < max_cuts:
                    leaves[v, kept, :size] = m_leaves[j, :size]
                    sizes[v, kept] = size
                    tts[v, kept] = m_tts[j]
                    kept += 1
        ncuts[v] = kept
    return leaves, sizes, tts, ncuts

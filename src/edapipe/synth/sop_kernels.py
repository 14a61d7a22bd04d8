"""Numba kernels for sum-of-products work on truth tables (up to 16 inputs).

Truth tables are uint64 word arrays of max(1, 2^(n-6)) words; bit m (word m // 64, bit m % 64)
is the value on minterm m whose bit i is input i. Tables of fewer than 6 inputs are
*replicated* across the word (as ABC's Kit does), which `replicate` arranges.

A cube is an int64 with bit 2i set for the literal x_i and bit 2i+1 for ~x_i (no bits: the
tautology cube). A cover is an int64 array of cubes.

A factored form is a tiny AIG over local literals: literal 0 is false, 1 true, 2*(i+1) input i,
and node j >= n+1 is AND(g0[j], g1[j]) (literal 2*j). Nodes are appended in topological order.
The algorithms follow ABC's Kit package: Minato-Morreale ISOP (Kit_TruthIsop) and the
quick-divisor algebraic factoring of SIS/ABC (Kit_SopFactor).
"""

import numpy as np

from edapipe.util.jit import njit

ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
MASKS = np.array([0xAAAAAAAAAAAAAAAA, 0xCCCCCCCCCCCCCCCC, 0xF0F0F0F0F0F0F0F0,
                  0xFF00FF00FF00FF00, 0xFFFF0000FFFF0000, 0xFFFFFFFF00000000], dtype=np.uint64)


@njit(cache=True)
def num_words(nvars):
    return 1 if nvars <= 6 else 1 << (nvars - 6)


@njit(cache=True)
def replicate(tt, nvars):
    """A copy of tt with the low 2^nvars bits repeated over the word (nvars < 6)."""
    out = tt.copy()
    if nvars < 6:
        w = out[0]
        width = 1 << nvars
        w &= (np.uint64(1) << np.uint64(width)) - np.uint64(1)
        while width < 64:
            w |= w << np.uint64(width)
            width *= 2
        out[0] = w
    return out


@njit(cache=True)
def projection(i, nvars):
    """Truth table of input i over nvars inputs."""
    nw = num_words(nvars)
    out = np.empty(nw, dtype=np.uint64)
    for w in range(nw):
        if i < 6:
            out[w] = MASKS[i]
        elif (w >> (i - 6)) & 1:
            out[w] = ALL
        else:
            out[w] = np.uint64(0)
    return out


# ---- ISOP (Minato-Morreale, with an explicit stack: numba cannot cache recursion) ----------

@njit(cache=True)
def _is_const(x, value):
    for w in range(x.shape[0]):
        if x[w] != value:
            return False
    return True


@njit(cache=True)
def _cofactor(x, v, pol, out):
    """Cofactor of x by input v = pol, replicated over v."""
    nw = x.shape[0]
    if v < 6:
        m = MASKS[v]
        s = np.uint64(1 << v)
        for w in range(nw):
            if pol:
                t = x[w] & m
                out[w] = t | (t >> s)
            else:
                t = x[w] & ~m
                out[w] = t | (t << s)
    else:
        step = 1 << (v - 6)
        for w in range(nw):
            src = (w | step) if pol else (w & ~step)
            out[w] = x[src]


@njit(cache=True)
def _depends(x, v):
    nw = x.shape[0]
    if v < 6:
        m = MASKS[v]
        s = np.uint64(1 << v)
        for w in range(nw):
            if ((x[w] & m) >> s) != (x[w] & ~m):
                return True
        return False
    step = 1 << (v - 6)
    for w in range(nw):
        if (w & step) == 0 and x[w] != x[w | step]:
            return True
    return False


@njit(cache=True)
def _isop1(on, ondc, nvars, cubes, cnt, max_cubes):
    """ISOP of one replicated word (nvars <= 6) on a scalar stack, cubes appended from cnt;
    returns (new count or -1 past max_cubes, the cover's word)."""
    S = np.empty((9, 8), dtype=np.uint64)    # on, dc, on0, on1, dc0, dc1, r0, r1, r
    I = np.empty((4, 8), dtype=np.int64)     # nv, v, phase, start
    S[0, 0] = on
    S[1, 0] = ondc
    I[0, 0] = nvars
    I[2, 0] = 0
    d = 0
    while d >= 0:
        ph = I[2, d]
        if ph == 0:
            x = S[0, d]
            y = S[1, d]
            if x == 0:
                S[8, d] = 0
                d -= 1
                continue
            if y == ALL:
                if cnt >= max_cubes:
                    return -1, S[8, 0]
                cubes[cnt] = 0
                cnt += 1
                S[8, d] = ALL
                d -= 1
                continue
            v = I[0, d] - 1
            while v > 0:
                m = MASKS[v]
                sh = np.uint64(1 << v)
                if ((x & m) >> sh) != (x & ~m) or ((y & m) >> sh) != (y & ~m):
                    break
                v -= 1
            m = MASKS[v]
            sh = np.uint64(1 << v)
            t = x & ~m
            on0 = t | (t << sh)
            t = x & m
            on1 = t | (t >> sh)
            t = y & ~m
            dc0 = t | (t << sh)
            t = y & m
            dc1 = t | (t >> sh)
            S[2, d] = on0
            S[3, d] = on1
            S[4, d] = dc0
            S[5, d] = dc1
            I[1, d] = v
            I[3, d] = cnt
            I[2, d] = 1
            S[0, d + 1] = on0 & ~dc1
            S[1, d + 1] = dc0
        elif ph == 1:
            S[6, d] = S[8, d + 1]
            bit = np.int64(1) << (2 * I[1, d] + 1)
            for k in range(I[3, d], cnt):
                cubes[k] |= bit
            I[3, d] = cnt
            I[2, d] = 2
            S[0, d + 1] = S[3, d] & ~S[4, d]
            S[1, d + 1] = S[5, d]
        elif ph == 2:
            S[7, d] = S[8, d + 1]
            bit = np.int64(1) << (2 * I[1, d])
            for k in range(I[3, d], cnt):
                cubes[k] |= bit
            I[2, d] = 3
            S[0, d + 1] = (S[2, d] & ~S[6, d]) | (S[3, d] & ~S[7, d])
            S[1, d + 1] = S[4, d] & S[5, d]
        else:
            m = MASKS[I[1, d]]
            S[8, d] = S[8, d + 1] | (S[6, d] & ~m) | (S[7, d] & m)
            d -= 1
            continue
        I[0, d + 1] = I[1, d]
        I[2, d + 1] = 0
        d += 1
    return cnt, S[8, 0]


@njit(cache=True)
def _isopn(on, ondc, nvars, cubes, max_cubes):
    """ISOP of a table of several words; returns the cube count, or -1 past max_cubes."""
    nw = on.shape[0]
    depth = nvars + 2
    W = np.empty((9, depth + 1, nw), dtype=np.uint64)  # on, dc, on0, on1, dc0, dc1, r0, r1, r
    I = np.empty((4, depth + 1), dtype=np.int64)        # nv, v, phase, start
    cnt = 0
    W[0, 0, :] = on
    W[1, 0, :] = ondc
    I[0, 0] = nvars
    I[2, 0] = 0
    d = 0
    while d >= 0:
        ph = I[2, d]
        if ph == 0:
            zero = True
            full = True
            for w in range(nw):
                if W[0, d, w] != 0:
                    zero = False
                if W[1, d, w] != ALL:
                    full = False
            if zero:
                W[8, d, :] = 0
                d -= 1
                continue
            if full:
                if cnt >= max_cubes:
                    return -1
                cubes[cnt] = 0
                cnt += 1
                W[8, d, :] = ALL
                d -= 1
                continue
            v = I[0, d] - 1
            while v > 0 and not _depends(W[0, d], v) and not _depends(W[1, d], v):
                v -= 1
            _cofactor(W[0, d], v, 0, W[2, d])
            _cofactor(W[0, d], v, 1, W[3, d])
            _cofactor(W[1, d], v, 0, W[4, d])
            _cofactor(W[1, d], v, 1, W[5, d])
            I[1, d] = v
            I[3, d] = cnt
            I[2, d] = 1
            for w in range(nw):
                W[0, d + 1, w] = W[2, d, w] & ~W[5, d, w]
                W[1, d + 1, w] = W[4, d, w]
        elif ph == 1:
            bit = np.int64(1) << (2 * I[1, d] + 1)
            for k in range(I[3, d], cnt):
                cubes[k] |= bit
            I[3, d] = cnt
            I[2, d] = 2
            for w in range(nw):
                W[6, d, w] = W[8, d + 1, w]
                W[0, d + 1, w] = W[3, d, w] & ~W[4, d, w]
                W[1, d + 1, w] = W[5, d, w]
        elif ph == 2:
            bit = np.int64(1) << (2 * I[1, d])
            for k in range(I[3, d], cnt):
                cubes[k] |= bit
            I[2, d] = 3
            for w in range(nw):
                W[7, d, w] = W[8, d + 1, w]
                W[0, d + 1, w] = (W[2, d, w] & ~W[6, d, w]) | (W[3, d, w] & ~W[7, d, w])
                W[1, d + 1, w] = W[4, d, w] & W[5, d, w]
        else:
            v = I[1, d]
            if v < 6:
                m = MASKS[v]
                for w in range(nw):
                    W[8, d, w] = W[8, d + 1, w] | (W[6, d, w] & ~m) | (W[7, d, w] & m)
            else:
                step = 1 << (v - 6)
                for w in range(nw):
                    W[8, d, w] = W[8, d + 1, w] | (W[7, d, w] if w & step else W[6, d, w])
            d -= 1
            continue
        if I[1, d] <= 6:
            # the child depends on inputs below 6 only: one word, solved at once
            cnt, r = _isop1(W[0, d + 1, 0], W[1, d + 1, 0], I[1, d], cubes, cnt, max_cubes)
            if cnt < 0:
                return -1
            W[8, d + 1, :] = r
            continue
        I[0, d + 1] = I[1, d]
        I[2, d + 1] = 0
        d += 1
    return cnt


@njit(cache=True)
def isop_into(on, ondc, nvars, cubes):
    """ISOP written into cubes; returns the count, or -1 if cubes is too small."""
    if on.shape[0] == 1:
        cnt, _ = _isop1(on[0], ondc[0], nvars, cubes, 0, cubes.shape[0])
        return cnt
    return _isopn(on, ondc, nvars, cubes, cubes.shape[0])


@njit(cache=True)
def isop(on, ondc, nvars, max_cubes):
    """Irredundant SOP with on <= cover <= ondc (replicated tables of nvars inputs).

    Returns (cubes, ok); ok is False when the cover would exceed max_cubes.
    """
    cubes = np.empty(max_cubes, dtype=np.int64)
    cnt = isop_into(on, ondc, nvars, cubes)
    if cnt < 0:
        return cubes[:0].copy(), False
    return cubes[:cnt].copy(), True


@njit(cache=True)
def cover_truth(cubes, nvars):
    """Truth table of a cover."""
    nw = num_words(nvars)
    out = np.zeros(nw, dtype=np.uint64)
    term = np.empty(nw, dtype=np.uint64)
    for c in range(cubes.shape[0]):
        cube = cubes[c]
        term[:] = ALL
        for i in range(nvars):
            if (cube >> (2 * i)) & 1:
                term &= projection(i, nvars)
            if (cube >> (2 * i + 1)) & 1:
                term &= ~projection(i, nvars)
        out |= term
    return out


@njit(cache=True)
def cover_literals(cubes):
    n = 0
    for c in range(cubes.shape[0]):
        x = cubes[c]
        while x:
            x &= x - 1
            n += 1
    return n


# ---- algebraic factoring ---------------------------------------------------------------------

@njit(cache=True, inline="always")
def _lit_count(cover, k):
    bit = np.int64(1) << k
    c = 0
    for i in range(cover.shape[0]):
        if cover[i] & bit:
            c += 1
    return c


@njit(cache=True)
def _worst_literal(cover, nlits):
    """The least frequent literal among those in more than one cube (-1 if none)."""
    union = np.int64(0)
    for i in range(cover.shape[0]):
        union |= cover[i]
    best = -1
    best_count = 1 << 30
    for k in range(nlits):
        if (union >> k) & 1:
            c = _lit_count(cover, k)
            if c > 1 and c < best_count:
                best = k
                best_count = c
    return best


@njit(cache=True)
def _best_literal(cover, nlits, mask):
    """The most frequent literal of cover among the literals in mask."""
    best = -1
    best_count = -1
    for k in range(nlits):
        if (mask >> k) & 1:
            c = _lit_count(cover, k)
            if c > best_count:
                best = k
                best_count = c
    return best


@njit(cache=True)
def _common_cube(cover):
    com = np.int64(-1)
    for c in range(cover.shape[0]):
        com &= cover[c]
    return com if cover.shape[0] else np.int64(0)


@njit(cache=True)
def _make_cube_free(cover):
    com = _common_cube(cover)
    return cover & ~com


@njit(cache=True)
def _divide_by_literal(cover, lit):
    """(quotient, remainder) of cover by the single-literal cube lit."""
    bit = np.int64(1) << lit
    nq = 0
    for c in range(cover.shape[0]):
        if cover[c] & bit:
            nq += 1
    q = np.empty(nq, dtype=np.int64)
    r = np.empty(cover.shape[0] - nq, dtype=np.int64)
    iq = 0
    ir = 0
    for c in range(cover.shape[0]):
        if cover[c] & bit:
            q[iq] = cover[c] & ~bit
            iq += 1
        else:
            r[ir] = cover[c]
            ir += 1
    return q, r


@njit(cache=True)
def _in_cover(cover, cube):
    for c in range(cover.shape[0]):
        if cover[c] == cube:
            return True
    return False


@njit(cache=True)
def _divide(cover, div):
    """Algebraic division: cover = q * div + r, every product cube being a cover cube."""
    n = cover.shape[0]
    q = np.empty(n, dtype=np.int64)
    nq = 0
    d0 = div[0]
    for c in range(n):
        if (cover[c] & d0) != d0:
            continue
        cand = cover[c] & ~d0
        ok = True
        for j in range(1, div.shape[0]):
            if not _in_cover(cover, cand | div[j]):
                ok = False
                break
        if ok and not _in_cover(q[:nq], cand):
            q[nq] = cand
            nq += 1
    used = np.zeros(n, dtype=np.bool_)
    for a in range(nq):
        for j in range(div.shape[0]):
            prod = q[a] | div[j]
            for c in range(n):
                if cover[c] == prod:
                    used[c] = True
    # counted in a loop: a cached kernel that calls array.sum() makes numba import its
    # numba.np.arraymath (and scipy.linalg) at every load, 0.15 s of CPU per `opt` process
    nr = 0
    for c in range(n):
        if not used[c]:
            nr += 1
    r = np.empty(nr, dtype=np.int64)
    ir = 0
    for c in range(n):
        if not used[c]:
            r[ir] = cover[c]
            ir += 1
    return q[:nq].copy(), r


@njit(cache=True)
def _divisor(cover, nlits):
    """A level-0 kernel found by dividing by the least frequent repeated literal (ABC)."""
    if cover.shape[0] <= 1 or _worst_literal(cover, nlits) < 0:
        return cover[:0].copy()
    d = cover.copy()
    while True:
        lit = _worst_literal(d, nlits)
        if lit < 0:
            return d
        d, _ = _divide_by_literal(d, lit)
        d = _make_cube_free(d)


@njit(cache=True)
def ff_and(a, b, g0, g1, gn):
    """AND of two form literals, folding constants and trivial cases."""
    if a == 0 or b == 0 or a == (b ^ 1):
        return 0
    if a == 1 or a == b:
        return b
    if b == 1:
        return a
    j = gn[0]
    if a < b:
        a, b = b, a
    g0[j] = a
    g1[j] = b
    gn[0] = j + 1
    return 2 * j


@njit(cache=True)
def ff_or(a, b, g0, g1, gn):
    return ff_and(a ^ 1, b ^ 1, g0, g1, gn) ^ 1


@njit(cache=True)
def _reduce(lits, n, is_or, g0, g1, gn):
    """Balanced AND (or OR) of lits[:n] by pairwise rounds."""
    if n == 0:
        return 0 if is_or else 1
    while n > 1:
        half = n // 2
        for i in range(half):
            if is_or:
                lits[i] = ff_or(lits[2 * i], lits[2 * i + 1], g0, g1, gn)
            else:
                lits[i] = ff_and(lits[2 * i], lits[2 * i + 1], g0, g1, gn)
        if n & 1:
            lits[half] = lits[n - 1]
            half += 1
        n = half
    return lits[0]


@njit(cache=True)
def _cube_form(cube, nlits, g0, g1, gn, lits):
    n = 0
    for k in range(nlits):
        if (cube >> k) & 1:
            lits[n] = 2 * (k // 2 + 1) + (k & 1)
            n += 1
    return _reduce(lits, n, False, g0, g1, gn)


@njit(cache=True)
def _trivial_form(cover, nlits, g0, g1, gn, lits, clits):
    n = cover.shape[0]
    for c in range(n):
        clits[c] = _cube_form(cover[c], nlits, g0, g1, gn, lits)
    return _reduce(clits, n, True, g0, g1, gn)


@njit(cache=True)
def _factor(cover, nlits, g0, g1, gn):
    """Factored form of a cover (ABC's Kit_SopFactor_rec and Kit_SopFactorLF_rec, run on an
    explicit stack). Each frame splits its cover into up to three smaller covers combined as
    (A & B) | C, or lit & B | C for a literal factor."""
    n0 = cover.shape[0]
    maxd = min(cover_literals(cover) + n0 + 8, 2 * n0 + nlits + 8)
    psize = 6 * n0 + 64      # children covers along the stack; a frame that would overflow
    pool = np.empty(psize, dtype=np.int64)   # it is written as a plain sum of products
    pool[:n0] = cover
    ptop = n0
    fr = np.zeros((13, maxd), dtype=np.int64)
    off = fr[0]
    ln = fr[1]
    ph = fr[2]
    mark = fr[3]
    nch = fr[4]
    lit = fr[5]
    coff = fr[6:9].T
    clen = fr[9:12].T
    res = np.empty((maxd, 3), dtype=np.int64)
    lits = np.empty(nlits + 2, dtype=np.int64)
    clits = np.empty(n0 + 2, dtype=np.int64)
    off[0] = 0
    ln[0] = n0
    ph[0] = 0
    mark[0] = ptop
    d = 0
    ret = 0
    while d >= 0:
        if ph[d] == 0:
            cv = pool[off[d]:off[d] + ln[d]]
            n = cv.shape[0]
            if n == 0:
                ret = 0
                d -= 1
                continue
            if n == 1:
                ret = _cube_form(cv[0], nlits, g0, g1, gn, lits)
                ptop = mark[d]
                d -= 1
                continue
            trivial = False
            lf_cube = np.int64(0)
            div = _divisor(cv, nlits)
            quo = div
            rem = div
            if div.shape[0] == 0:
                trivial = True
            else:
                quo, rem = _divide(cv, div)
                if quo.shape[0] == 0 or (quo.shape[0] == 1 and quo[0] == 0):
                    trivial = True
                elif quo.shape[0] == 1:
                    lf_cube = quo[0]
                else:
                    quo = _make_cube_free(quo)
                    div, rem = _divide(cv, quo)
                    if div.shape[0] == 0 or div.shape[0] >= n or quo.shape[0] >= n:
                        trivial = True
                    else:
                        lf_cube = _common_cube(div)
            if not trivial:
                if lf_cube != 0:
                    best = _best_literal(cv, nlits, lf_cube)
                    quo, rem = _divide_by_literal(cv, best)
                    lit[d] = 2 * (best // 2 + 1) + (best & 1)
                    parts = 1
                    a = quo
                    b = rem
                    c = rem
                    if rem.shape[0]:
                        parts = 2
                else:
                    lit[d] = -1
                    a = div
                    b = quo
                    c = rem
                    parts = 3 if rem.shape[0] else 2
                need = a.shape[0] + b.shape[0] + c.shape[0]
                if ptop + need > psize or d + 1 >= maxd:
                    trivial = True
            if trivial:
                ret = _trivial_form(cv, nlits, g0, g1, gn, lits, clits)
                ptop = mark[d]
                d -= 1
                continue
            nch[d] = parts
            for k in range(parts):
                src = a if k == 0 else (b if k == 1 else c)
                pool[ptop:ptop + src.shape[0]] = src
                coff[d, k] = ptop
                clen[d, k] = src.shape[0]
                ptop += src.shape[0]
            ph[d] = 1
        else:
            res[d, ph[d] - 1] = ret
            if ph[d] == nch[d]:
                if lit[d] >= 0:
                    x = ff_and(lit[d], res[d, 0], g0, g1, gn)
                    if nch[d] == 2:
                        x = ff_or(x, res[d, 1], g0, g1, gn)
                else:
                    x = ff_and(res[d, 0], res[d, 1], g0, g1, gn)
                    if nch[d] == 3:
                        x = ff_or(x, res[d, 2], g0, g1, gn)
                ret = x
                ptop = mark[d]
                d -= 1
                continue
            ph[d] += 1
        k = ph[d] - 1
        off[d + 1] = coff[d, k]
        ln[d + 1] = clen[d, k]
        ph[d + 1] = 0
        mark[d + 1] = ptop
        d += 1
    return ret


@njit(cache=True)
def form_capacity(cubes, nvars):
    return nvars + 8 + 2 * (cover_literals(cubes) + cubes.shape[0])


@njit(cache=True)
def factor_cover(cubes, nvars, g0, g1, gn):
    """Factor a cover into the form arrays (gn[0] must be nvars + 1); returns the root literal."""
    nlits = 2 * nvars
    n = cubes.shape[0]
    if n <= 1 or _worst_literal(cubes, nlits) < 0:
        lits = np.empty(nlits + n + 2, dtype=np.int64)
        if n == 0:
            return 0
        if n == 1:
            return _cube_form(cubes[0], nlits, g0, g1, gn, lits)
        return _trivial_form(cubes, nlits, g0, g1, gn, lits[:nlits + 1], lits[nlits + 1:])
    return _factor(cubes, nlits, g0, g1, gn)


@njit(cache=True)
def form_truth(nvars, g0, g1, count, root):
    """Truth table of a form's root literal."""
    nw = num_words(nvars)
    vals = np.zeros((count, nw), dtype=np.uint64)
    for i in range(nvars):
        vals[i + 1] = projection(i, nvars)
    for j in range(nvars + 1, count):
        a = g0[j]
        b = g1[j]
        va = vals[a >> 1] ^ (ALL if a & 1 else np.uint64(0))
        vb = vals[b >> 1] ^ (ALL if b & 1 else np.uint64(0))
        vals[j] = va & vb
    out = vals[root >> 1].copy()
    if root & 1:
        out ^= ALL
    return out


@njit(cache=True, inline="always")
def constant_table(tt, nw):
    """The constant literal a truth table's first nw words make (0 all zero, 1 all one),
    or -1."""
    zero = True
    one = True
    for w in range(nw):
        if tt[w] != 0:
            zero = False
        if tt[w] != ALL:
            one = False
    if zero:
        return 0
    if one:
        return 1
    return -1


@njit(cache=True, inline="always")
def _prefer_complement(c0, ok0, c1, ok1):
    """Factor the complement's cover c0 rather than the function's c1: c1 is over the
    cube limit, or c0 has fewer cubes, or as many with fewer literals (ok: within the
    limit)."""
    if not ok1:
        return True
    if ok0:
        return c0.shape[0] < c1.shape[0] or (c0.shape[0] == c1.shape[0]
                                             and cover_literals(c0) < cover_literals(c1))
    return False


@njit(cache=True)
def truth_to_form(tt, nvars, max_cubes, g0, g1, gn):
    """Factored form of a (replicated) truth table: ISOP of f and ~f, the smaller factored.

    Fills g0/g1 (capacity >= nvars + 8 + 4 * nvars * max_cubes), sets gn[0]; returns the root
    literal, or -1 when both covers exceed max_cubes.
    """
    gn[0] = nvars + 1
    const = constant_table(tt, tt.shape[0])
    if const >= 0:
        return const
    c1, ok1 = isop(tt, tt, nvars, max_cubes)
    ntt = ~tt
    # the complement wins only with no more cubes: stop its ISOP past that
    c0, ok0 = isop(ntt, ntt, nvars, c1.shape[0] if ok1 else max_cubes)
    if not ok1 and not ok0:
        return -1
    if _prefer_complement(c0, ok0, c1, ok1):
        return factor_cover(c0, nvars, g0, g1, gn) ^ 1
    return factor_cover(c1, nvars, g0, g1, gn)


@njit(cache=True)
def truth_to_forms(tt, nvars, max_cubes, g0, g1, gn, h0, h1, hn):
    """Factored forms of both polarities: (root in g, root in h), g holding the one
    truth_to_form picks (fewer cubes, then literals) and h the other (-1 when its cover
    exceeds max_cubes or the function is constant)."""
    gn[0] = nvars + 1
    hn[0] = nvars + 1
    const = constant_table(tt, tt.shape[0])
    if const >= 0:
        return const, -1
    c1, ok1 = isop(tt, tt, nvars, max_cubes)
    ntt = ~tt
    c0, ok0 = isop(ntt, ntt, nvars, max_cubes)
    if not ok1 and not ok0:
        return -1, -1
    if _prefer_complement(c0, ok0, c1, ok1):
        a = factor_cover(c0, nvars, g0, g1, gn) ^ 1
        b = factor_cover(c1, nvars, h0, h1, hn) if ok1 else -1
    else:
        a = factor_cover(c1, nvars, g0, g1, gn)
        b = factor_cover(c0, nvars, h0, h1, hn) ^ 1 if ok0 else -1
    return a, b

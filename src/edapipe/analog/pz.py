"""`.pz IN+ IN- OUT+ OUT- cur|vol pol|zer|pz`: the poles and zeros of a small-signal
transfer function at the operating point, as ngspice 39 defines them (spicelib/analysis:
pzan.c, cktpzset.c, cktpzld.c; re-derived, not ported).

What ngspice computes. At the operating point every device is linearised as for `.ac`
(Y(s) = G + sC, resistors with their ac= values), with one difference: an independent V
source that has an AC value (`ac` written on its card, even `ac 0`) is *opened* (its branch
current is forced to zero), a V source without one shorts its nodes, I sources are open.
A unit current is then driven into IN+ and out of IN-, and by Cramer's rule the
determinant of Y with one column replaced by that drive is det Y(s) times the voltage of
that column's node (for an output OUT+ OUT-, the column of OUT- first gets OUT+'s column
added, so that the unknown becomes the difference). So

    zeros      (cur and vol): roots of det Y(s) . V(out)/I(in)
    poles, cur:               roots of det Y(s)
    poles, vol:               roots of det Y(s) . V(in)/I(in)  (the poles of V(out)/V(in))

ngspice finds these roots with a deflated Muller search along the real axis; here they are
the finite generalized eigenvalues of the pencil (A, -E), A + sE being the modified matrix
(it is affine in s), after the infinite eigenvalues are deflated by an orthogonal staircase
reduction (QZ alone would turn MNA's index-two blocks, a capacitor across a source, into
spurious roots of size 1/sqrt(eps)). A determinant that vanishes for every s is ngspice's
error "the input signal is shorted on the way to the output".

Order, as ngspice lists them: ascending real part, then imaginary part, each complex root
with a positive imaginary part followed by its conjugate; poles first. Roots that coincide
(double roots split by rounding) may be listed in either order.
"""

from __future__ import annotations

import math

import numpy as np

from edapipe.errors import excerpt

_INPUTS = ("cur", "vol")
_WHICH = ("pol", "zer", "pz")
_GROUND = ("0", "gnd")
MAX_UNKNOWNS = 2000          # the pencil is dense: n^2 numbers, QZ costs ~n^3


def parse_pz(card) -> dict:
    """`.pz n1 n2 n3 n4 cur|vol pol|zer|pz` (the two words in either order, as ngspice
    reads them by name)."""
    from edapipe.analog.parser import split_tokens

    toks = split_tokens(card.text)
    usage = (".pz needs the input nodes, the output nodes, cur or vol, and pol, zer or pz "
             "(.pz in+ in- out+ out- vol pz)")
    if len(toks) != 7:
        raise card.error(f"{usage}; the card has {len(toks) - 1} fields")
    words = [t.lower() for t in toks[5:]]
    kind = [w for w in words if w in _INPUTS]
    which = [w for w in words if w in _WHICH]
    for w, tok in zip(words, toks[5:]):
        if w not in _INPUTS + _WHICH:
            raise card.error(f".pz: '{card.quote(tok)}' is neither cur/vol (the transfer "
                             f"function's input) nor pol/zer/pz (what to find)")
    if len(kind) != 1 or len(which) != 1:
        raise card.error(usage)
    nodes = ["0" if t.lower() in _GROUND else t.lower() for t in toks[1:5]]
    inp, out = nodes[:2], nodes[2:]
    # ngspice's PZinit checks, in its order
    if inp[0] == inp[1]:
        raise card.error(".pz: the input is shorted (both input nodes are the same)")
    if out[0] == out[1]:
        raise card.error(".pz: the output is shorted (both output nodes are the same)")
    if kind[0] == "vol" and inp == out:
        raise card.error(".pz: the transfer function is unity (the output is the input)")
    if kind[0] == "vol" and inp == out[::-1]:
        raise card.error(".pz: the transfer function is -1 (the output is the input "
                         "reversed)")
    return {"input": inp, "output": out, "kind": kind[0], "poles": which[0] != "zer",
            "zeros": which[0] != "pol"}


def run_pz(sim, args: dict, card=None):
    from edapipe.analog.results import Result
    from edapipe.analog.smallsignal import _jacobian

    def error(reason):
        return card.error(reason) if card is not None else ValueError(reason)

    s = sim.sys
    _check_elements(sim.circ, error)
    if s.size > MAX_UNKNOWNS:
        raise error(f".pz: {s.size} unknowns; the pole-zero analysis is dense and takes at "
                    f"most {MAX_UNKNOWNS}")
    index = {n: k for k, n in enumerate(s.unknowns)}

    def row(name):
        if name == "0":
            return -1
        k = index.get(f"v({name})")
        if k is None:
            raise error(f".pz: no node '{excerpt(name, 40)}'")
        return k

    inp = [row(n) for n in args["input"]]
    out = [row(n) for n in args["output"]]
    x = sim.operating_point()
    g, cdev = _jacobian(sim, x, ac=True)
    a = _dense(s, g)
    e = _dense(s, s.cdata + cdev)
    _open_ac_sources(sim.circ, s, a, e)
    names, roots = [], []
    if args["poles"]:
        if args["kind"] == "vol":
            pa, pe = _drive(a, e, inp, inp)
        else:
            pa, pe = a, e
        found = _roots(pa, pe, error)
        names += [f"pole({k + 1})" for k in range(len(found))]
        roots += found
    if args["zeros"]:
        found = _roots(*_drive(a, e, inp, out), error)
        names += [f"zero({k + 1})" for k in range(len(found))]
        roots += found
    data = np.array([roots], dtype=complex).reshape(1, len(roots))
    return Result("pz", "", np.zeros(1), names, data, "Pole-Zero Analysis")


def _check_elements(circ, error) -> None:
    """Elements ngspice's .pz cannot take: transmission lines (ngspice refuses them); H
    sources: ngspice 39's CCVS pole-zero load adds the transresistance with the opposite
    sign of its .ac load, so it analyses the circuit with every H gain negated; B sources:
    its ASRC pole-zero load differentiates the expression at the solution vector that the
    pole-zero set-up has just cleared, i.e. at 0 V, not at the operating point."""
    for e in circ.elements:
        if e.letter == "B":
            raise error(f".pz: B sources are not supported ({e.name}): ngspice 39's "
                        f"pole-zero analysis linearises them at 0 V, not at the operating "
                        f"point; use .ac")
        if e.letter == "T":
            raise error(f".pz: transmission lines are not supported ({e.name}; ngspice "
                        f"refuses them too)")
        if e.letter == "H":
            raise error(f".pz: H sources are not supported ({e.name}): ngspice 39's "
                        f"pole-zero analysis negates their gain; write the CCVS as an E "
                        f"source across a 0 V sense source's current, or use .ac")


def _dense(s, data) -> np.ndarray:
    """The system's CSC data (rows in `indices`) as a dense real matrix."""
    n = s.size
    m = np.zeros((n, n))
    cols = np.repeat(np.arange(n), np.diff(s.indptr))
    np.add.at(m, (s.indices, cols), np.real(data))
    return m


def _open_ac_sources(circ, s, a, e) -> None:
    """ngspice's VSRCpzLoad: a V source with an AC value is open (its branch row becomes
    i = 0; its current still enters the node rows, as zero)."""
    from edapipe.analog.parser import split_tokens

    by_name = {el.name: el for el in circ.elements if el.letter == "V"}
    for br, src, name in s.vsrc:
        el = by_name.get(name)
        if el is None:
            continue
        # `ac` is a word of the card after the two nodes (Source keeps only its value,
        # and `ac 0` counts as given for ngspice)
        words = [t.lower() for t in split_tokens(el.card.text)[3:]]
        if src.ac_mag != 0.0 or "ac" in words:
            a[br, :] = 0.0
            e[br, :] = 0.0
            a[br, br] = 1.0


def _drive(a, e, inp, out):
    """The matrix with the unit input drive in the output's column (cktpzset.c's
    solution and balance columns)."""
    a = a.copy()
    e = e.copy()
    pos_in, neg_in = inp
    pos_out, neg_out = out
    if pos_out >= 0:
        sol, bal = pos_out, neg_out
    else:
        sol, bal = neg_out, -1
        pos_in, neg_in = neg_in, pos_in
    if bal >= 0:
        a[:, bal] += a[:, sol]
        e[:, bal] += e[:, sol]
    a[:, sol] = 0.0
    e[:, sol] = 0.0
    if pos_in >= 0:
        a[pos_in, sol] = 1.0
    if neg_in >= 0:
        a[neg_in, sol] = -1.0
    return a, e


def _roots(a, e, error) -> list[complex]:
    vals = pencil_roots(a, e)
    if vals is None:
        raise error(".pz: the input signal is shorted on the way to the output (the "
                    "determinant vanishes for every s)")
    return ngspice_order(vals)


LINK = 1e-4         # roots chained closer than this (relative) are candidates for one root


def merge_multiple(vals: np.ndarray) -> np.ndarray:
    """A root of multiplicity k comes out of the eigenvalue solver split into k roots
    about eps^(1/k) apart (1.5e-8 relative for a double root, 6e-6 for a triple one),
    around a centre (their mean) that is accurate to rounding. Roots chained within LINK
    of each other whose spread around their mean is below 10 eps^(1/k) are replaced by
    the mean (ngspice reports such a root k times, with one value); a wider cluster is a
    set of distinct roots (an RC ladder has pairs 3e-6 apart) and is left alone."""
    vals = np.array(vals, dtype=complex)
    order = np.argsort(vals.real, kind="stable")
    parent = list(range(len(vals)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pos, i in enumerate(order):
        for j in order[pos + 1:]:
            near = LINK * max(abs(vals[i]), abs(vals[j]))
            if vals[j].real - vals[i].real > near:
                break
            if abs(vals[j] - vals[i]) <= near:
                parent[find(j)] = find(i)
    roots = np.array([find(i) for i in range(len(vals))], dtype=np.int64)
    out = vals.copy()
    eps = np.finfo(float).eps
    for r in np.unique(roots):
        members = roots == r
        k = int(members.sum())
        if k > 1:
            centre = vals[members].mean()
            spread = float(np.max(np.abs(vals[members] - centre)))
            if spread <= 10.0 * eps ** (1.0 / k) * abs(centre):
                out[members] = centre
    return out


def ngspice_order(vals: np.ndarray) -> list[complex]:
    """Multiple roots merged, real roots made exactly real, then ngspice's list:
    ascending (real, imaginary) over the roots with imaginary part >= 0, each complex
    one followed by its conjugate."""
    out = []
    upper = []
    vals = merge_multiple(vals)
    scale = float(np.max(np.abs(vals))) if len(vals) else 0.0
    for v in vals:
        if abs(v.imag) <= 1e-6 * abs(v) or abs(v.imag) <= 1e-12 * scale:
            upper.append(complex(v.real, 0.0))
        elif v.imag > 0:
            upper.append(complex(v))
    for v in sorted(upper, key=lambda z: (z.real, z.imag)):
        out.append(v)
        if v.imag != 0.0:
            out.append(v.conjugate())
    return out


def pencil_roots(a: np.ndarray, e: np.ndarray) -> np.ndarray | None:
    """The finite roots of det(a + s e) for real square a, e; None when the determinant
    vanishes identically (a singular pencil).

    Scaling by powers of two (exact): rows and columns equilibrated (Ruiz) over [a e] and
    s = w t with w balancing the norms of a and e. Then, while e is singular, an SVD row
    compression of e and a column compression of the rows where s is absent split off a
    constant nonsingular block (or prove the pencil singular); the last (a, e), e
    nonsingular, goes to QZ. Orthogonal transforms only: nothing ill-conditioned is
    inverted."""
    reduced = exact_singletons(np.array(a, dtype=float), np.array(e, dtype=float))
    if reduced is None:
        return None
    a, e = reduced
    if a.shape[0] == 0:
        return np.zeros(0, dtype=complex)
    blocks = diagonal_blocks(a, e)
    if blocks is None:
        return None
    found = []
    for rows, cols in blocks:
        vals = _block_roots(a[np.ix_(rows, cols)], e[np.ix_(rows, cols)])
        if vals is None:
            return None
        found.append(vals)
    return np.concatenate(found) if found else np.zeros(0, dtype=complex)


def diagonal_blocks(a: np.ndarray, e: np.ndarray):
    """The diagonal blocks of the block-triangular form of the pencil's pattern (a
    perfect matching of rows to columns, then the strongly connected components of the
    matched graph; Duff and Reid's method): det(a + s e) is the product of the blocks'
    determinants, so each block's roots are found alone. Stages coupled one way (the gm
    chains of ngspice's pz2.cir: G entries of 1e-9 beside couplings of 1) are then solved
    stage by stage instead of as one badly scaled pencil. None when no perfect matching
    exists: the determinant is zero for every s."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

    n = a.shape[0]
    pattern = csr_matrix((a != 0.0) | (e != 0.0))
    match = maximum_bipartite_matching(pattern, perm_type="column")   # row -> column
    if (match < 0).any():
        return None
    # edges row i -> row k when row i has an entry in the column matched to row k
    owner = np.empty(n, dtype=np.int64)
    owner[match] = np.arange(n)
    coo = pattern.tocoo()
    graph = csr_matrix((np.ones(coo.nnz), (coo.row, owner[coo.col])), shape=(n, n))
    count, label = connected_components(graph, directed=True, connection="strong")
    return [(np.flatnonzero(label == c), match[np.flatnonzero(label == c)])
            for c in range(count)]


def _block_roots(a: np.ndarray, e: np.ndarray) -> np.ndarray | None:
    """pencil_roots' numerical part on one diagonal block."""
    import scipy.linalg as la

    a = a.copy()
    e = e.copy()
    if a.shape[0] == 0:
        return np.zeros(0, dtype=complex)
    w = _equilibrate(a, e)
    eps = np.finfo(float).eps
    # the rank decisions: relative to the whole scaled pencil (the reduced blocks are
    # small where the determinant's leading coefficients cancel), and growing with each
    # column compression by its condition: the null space of a block with smallest
    # singular value sigma is only known to eps/sigma, and so are the blocks left after
    # it. Rounding noise kept as a nonzero singular value would be a root near
    # 1/noise (three-stage chains of E/G/F sources showed +-6e10 "zeros" at 5e-11).
    tol = 64 * a.shape[0] * eps * max(np.linalg.norm(a), np.linalg.norm(e), 1e-300)
    while True:
        n = a.shape[0]
        if n == 0:
            return np.zeros(0, dtype=complex)
        u, sv, _ = la.svd(e, lapack_driver="gesvd")
        r = int(np.sum(sv > tol))
        if r == n:
            break
        a = u.T @ a
        e = u.T @ e
        e[r:, :] = 0.0
        _, s2, vt2 = la.svd(a[r:, :], lapack_driver="gesvd")
        if int(np.sum(s2 > tol)) < n - r:
            return None
        tol = max(tol, tol * s2[0] / s2[-1])
        q = np.concatenate([vt2[n - r:].T, vt2[:n - r].T], axis=1)
        a = (a @ q)[:r, :r]
        e = (e @ q)[:r, :r]
    vals = la.eigvals(a, -e)
    vals = vals[np.isfinite(vals)] * w
    # a root at the origin comes out as rounding noise of the pencil's scale
    vals[np.abs(vals) <= 64 * a.shape[0] * eps * w] = 0.0
    return vals


def exact_singletons(a: np.ndarray, e: np.ndarray):
    """Remove, exactly, the rows and columns where s is absent and a has one nonzero:
    the determinant is that entry times the minor without its row and column (Laplace),
    so the roots stay the same. MNA is full of them (source branch rows, the drive
    column, every link of an RC chain's numerator, whose infinite eigenvalues otherwise
    form one Jordan chain as long as the ladder: numerically hopeless). Returns the
    reduced (a, e), or None when an s-free row or column is zero or two are multiples of
    the same unit vector (the determinant vanishes for every s)."""
    rows = np.ones(a.shape[0], dtype=bool)
    cols = np.ones(a.shape[1], dtype=bool)
    nz_a = a != 0.0
    nz_e = e != 0.0
    while True:
        sub = nz_a[np.ix_(rows, cols)]
        ridx = np.flatnonzero(rows)
        cidx = np.flatnonzero(cols)
        rcount = sub.sum(axis=1)
        ccount = sub.sum(axis=0)
        # rows and columns without s among the ones left (a row loses its s when the
        # columns holding its capacitances are gone)
        sub_e = nz_e[np.ix_(rows, cols)]
        live_r = ~sub_e.any(axis=1)
        live_c = ~sub_e.any(axis=0)
        if (live_r & (rcount == 0)).any() or (live_c & (ccount == 0)).any():
            return None
        pick_r = np.flatnonzero(live_r & (rcount == 1))
        if len(pick_r):
            at = cidx[np.argmax(sub[pick_r], axis=1)]
            if len(np.unique(at)) < len(at):
                return None
            rows[ridx[pick_r]] = False
            cols[at] = False
            continue
        pick_c = np.flatnonzero(live_c & (ccount == 1))
        if len(pick_c):
            at = ridx[np.argmax(sub[:, pick_c], axis=0)]
            if len(np.unique(at)) < len(at):
                return None
            rows[at] = False
            cols[cidx[pick_c]] = False
            continue
        break
    return a[np.ix_(rows, cols)], e[np.ix_(rows, cols)]


def _equilibrate(a: np.ndarray, e: np.ndarray) -> float:
    """Scale a and e in place (rows and columns by powers of two, e by w); return w."""
    w = 1.0
    for _ in range(8):
        na = float(np.max(np.abs(a))) if a.size else 0.0
        ne = float(np.max(np.abs(e))) if e.size else 0.0
        if na > 0.0 and ne > 0.0:
            f = 2.0 ** round(math.log2(na / ne))
            e *= f
            w *= f
        m = np.maximum(np.abs(a), np.abs(e))
        rmax = m.max(axis=1)
        rs = np.where(rmax > 0, 2.0 ** -np.round(np.log2(np.where(rmax > 0, rmax, 1.0)) / 2),
                      1.0)
        a *= rs[:, None]
        e *= rs[:, None]
        m = np.maximum(np.abs(a), np.abs(e))
        cmax = m.max(axis=0)
        cs = np.where(cmax > 0, 2.0 ** -np.round(np.log2(np.where(cmax > 0, cmax, 1.0)) / 2),
                      1.0)
        a *= cs[None, :]
        e *= cs[None, :]
    return w


def pz_table(res) -> str:
    """What ngspice prints for the analysis's vectors (`print all` after a `pz`): one
    line per root, `pole(1) = re,im` in its number format; nothing without roots."""
    from edapipe.analog.output import _ngnum

    lines = []
    for name, v in zip(res.names, res.data[0]):
        re_, im_ = _ngnum(np.array([v.real, v.imag]))
        lines.append(f"{name} = {re_},{im_}")
    return "".join(f"{line}\n" for line in lines)

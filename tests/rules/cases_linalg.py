"""Rule-test cases for srcgrad/rules/linalg*_rules.py, registered into cases.py's table (which loads this file
at its end): the same ``case(primal, label, make, torch)`` form as there.

The matrices are built from their decompositions, so that the spectra are well separated (singular vectors
and eigenvectors curve like one over the gaps) and away from zero. Matrices that ``eigh``, ``eigvalsh`` and
``cholesky`` read one triangle of get noise in the other one, which must get a zero gradient.

LAPACK returns eigenvectors and singular vectors with signs, and ``eig`` eigenvalues in an order, that can
change under a change of the matrix far smaller than a gap: the outputs jump there (in small islands, not
only across boundaries). The rules give the derivative of the outputs around the drawn point. So

* the cases of those outputs keep only draws where 48 small moves in random directions (some three times
  larger than the finite differences' steps, most as large) leave every output continuous: the forward-rule
  test differences the outputs as they are;
* the reverse-rule test compares through ``project``: the outputs at each moved point with the signs of
  their vectors (and ``eig``'s order) matched to the outputs at the drawn point, which ``make`` records.
  Matching changes nothing at the drawn point, so a cotangent of the projection is one of the outputs.

Tuple outputs (``svd``, ``eigh``, ``eig``, ``slogdet``, ``lstsq``) are projected to all their items raveled
into one vector (the rank of ``lstsq`` included, whose differences are zero), and ``cotangent`` cuts a
cotangent of that vector back into items; their shapes are therefore fixed per case. The torch functions of
the one-array outputs read the same triangle as NumPy.
"""

import sys

import numpy as np
from hypothesis import assume

from srcgrad.rules.linalg_helpers import (
    checked,
    eig_vectors,
    from_triangle,
    inverse_gaps,
    residuals_like,
    to_triangle,
)

_cases = sys.modules["srcgrad_rule_test_cases"]
case, call = _cases.case, _cases.call


# --- drawing well-separated decompositions ---------------------------------------------------------------


def _orthonormal(d, batch, n, k):
    """``batch + (n, k)`` matrices with orthonormal columns."""
    q, r = np.linalg.qr(d.rng.normal(size=batch + (n, n)))
    q = q * np.sign(np.diagonal(r, 0, -2, -1))[..., None, :]
    return q[..., :, :k]


def _spread(d, batch, k, low=1.0, step=0.9, signed=False):
    """``k`` values per matrix, at least ``0.7 * step`` apart, from ``low`` up (in a random order of signs
    when ``signed``, still apart: negatives are below ``-low``)."""
    levels = low + step * np.arange(k) + d.rng.uniform(-0.15 * step, 0.15 * step, size=batch + (k,))
    if signed:
        flip = d.rng.permutation(k)[: k // 2]
        levels[..., flip] = -levels[..., flip] - 0.5 * step
    return levels


def svd_matrix(d, shape):
    *batch, m, n = shape
    k = min(m, n)
    s = _spread(d, tuple(batch), k)
    u = _orthonormal(d, tuple(batch), m, k)
    v = _orthonormal(d, tuple(batch), n, k)
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def _noise_outside(d, x, uplo):
    """``x`` with random values in the triangle that ``uplo`` does not read."""
    n = x.shape[-1]
    mask = np.triu(np.ones((n, n)), 1) if uplo.upper() == "L" else np.tril(np.ones((n, n)), -1)
    return x + mask * d.rng.normal(size=x.shape)


def symmetric_matrix(d, shape, uplo="L"):
    *batch, n, _ = shape
    w = _spread(d, tuple(batch), n, low=0.5, step=1.0, signed=True)
    q = _orthonormal(d, tuple(batch), n, n)
    return _noise_outside(d, (q * w[..., None, :]) @ np.swapaxes(q, -1, -2), uplo)


def eig_matrix(d, shape):
    """A non-symmetric matrix with real, well-separated eigenvalues: ``X diag(w) X^-1`` for a
    well-conditioned ``X``."""
    *batch, n, _ = shape
    w = _spread(d, tuple(batch), n, low=0.5, step=1.0, signed=True)
    x = np.eye(n) + 0.4 * d.rng.normal(size=shape) / np.sqrt(n)
    assume(np.all(np.linalg.cond(x) < 4.0))
    return np.linalg.solve(np.swapaxes(x, -1, -2), np.swapaxes(x * w[..., None, :], -1, -2)).swapaxes(-1, -2)


def spd_matrix(d, shape, uplo="L"):
    b = d.rng.normal(size=shape)
    n = shape[-1]
    return _noise_outside(d, b @ np.swapaxes(b, -1, -2) + n * np.eye(n), uplo)


def _flat(ans):
    """All outputs in one vector, complex ones (from a perturbed ``eig``) kept complex."""
    return np.concatenate([np.ravel(item) for item in ans]) if isinstance(ans, tuple) else np.ravel(ans)


_PROBES = (6e-3,) * 16 + (1.5e-3,) * 32


def one_piece(d, primal, a, *args, **kwargs):
    """``a``, after rejecting the draw when ``primal``'s outputs jump within reach of finite differences."""
    base = _flat(primal(a, *args, **kwargs))
    for scale in _PROBES:
        step = scale * d.rng.normal(size=a.shape)
        for moved in (a + step, a - step):
            out = _flat(primal(moved, *args, **kwargs))
            assume(not np.iscomplexobj(out) and np.max(np.abs(out - base)) < 0.5)
    return a


# --- matching the outputs of a moved point to those of the drawn point ----------------------------------------


def _signs(base, vectors):
    """Per column, +1 or -1: the sign that turns each vector of ``vectors`` towards its ``base``."""
    return np.where(np.sum(base * vectors, axis=-2, keepdims=True) < 0, -1.0, 1.0)


def _order(base, values):
    """For each of the ``base`` values, the index of the nearest of ``values`` (along the last axis)."""
    return np.argmin(np.abs(base[..., :, None] - values[..., None, :]), axis=-1)


def match_svd(base, ans):
    u, s, vt = ans
    signs = _signs(base[0], u)
    return u * signs, s, vt * np.swapaxes(signs, -1, -2)


def match_eigh(base, ans):
    return ans[0], ans[1] * _signs(base[1], ans[1])


def match_eig(base, ans):
    order = _order(base[0], ans[0])
    w = np.take_along_axis(ans[0], order, axis=-1)
    v = np.take_along_axis(ans[1], order[..., None, :], axis=-1)
    return w, v * _signs(base[1], v)


def match_eigvals(base, ans):
    return np.take_along_axis(ans, _order(base, ans), axis=-1)


def match_columns(base, ans):
    return ans * _signs(base, ans)


def _ravel_all(ans):
    return np.concatenate([np.ravel(np.asarray(item, dtype=np.float64)) for item in ans])


class Matched:
    """``project=`` for outputs that LAPACK may flip or reorder: ``match(base, ans)`` raveled, with ``base`` the
    outputs at the point the case's ``make`` drew last (``draws`` wraps the maker to record them)."""

    def __init__(self, primal, match):
        self.primal, self.match, self.base = primal, match, None

    def draws(self, make):
        def recording(d):
            args, kwargs = make(d)
            self.base = self.primal(*args, **kwargs)
            return args, kwargs
        return recording

    def __call__(self, ans):
        matched = self.match(self.base, ans)
        return _ravel_all(matched) if isinstance(matched, tuple) else matched


def _cut_into(shapes):
    def cotangent(g):
        items, start = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            items.append(np.reshape(g[start:start + size], shape))
            start += size
        return tuple(items)
    return cotangent


def _same(g):
    return g


def tuple_case(primal, label, make, shapes, torch=None, match=None):
    """A case of a tuple output; ``match`` (one of the ``match_*``) when its vectors have a sign or order."""
    if match is None:
        case(primal, label, make, torch, project=_ravel_all, cotangent=_cut_into(shapes))
        return
    project = Matched(primal, match)
    case(primal, label, project.draws(make), torch, project=project, cotangent=_cut_into(shapes))


def matched_case(primal, label, make, match, torch=None):
    """A case of a one-array output with a sign or order (``eigvals``, ``eig_vectors``)."""
    project = Matched(primal, match)
    case(primal, label, project.draws(make), torch, project=project, cotangent=_same)


# --- torch equivalents ---------------------------------------------------------------------------------------


def _t_symmetric(T, a, uplo="L"):
    if uplo.upper() == "L":
        return T.tril(a) + T.tril(a, -1).mT
    return T.triu(a) + T.triu(a, 1).mT


def t_eigvalsh(T, a, UPLO="L"):
    return T.linalg.eigvalsh(_t_symmetric(T, a, UPLO))


def t_cholesky(T, a, upper=False):
    lower = T.linalg.cholesky(_t_symmetric(T, a, "U" if upper else "L"))
    return lower.mT if upper else lower


def t_slogdet(T, a):
    return T.stack(T.linalg.slogdet(a))


# --- np.linalg.svd -------------------------------------------------------------------------------------------

for _label, _shape, _options in [("square", (3, 3), {}), ("tall-reduced", (4, 2), {"full_matrices": False}),
                                 ("wide-reduced", (2, 4), {"full_matrices": False}),
                                 ("batched", (2, 3, 3), {"full_matrices": False}),
                                 ("batched-tall", (2, 4, 3), {"full_matrices": False}), ("one-by-one", (1, 1), {})]:
    *_batch, _m, _n = _shape
    _k = min(_m, _n)
    _batch = tuple(_batch)
    tuple_case(np.linalg.svd, _label,
               lambda d, shape=_shape, options=_options: call(
                   one_piece(d, np.linalg.svd, svd_matrix(d, shape), **options), **options),
               [_batch + (_m, _k), _batch + (_k,), _batch + (_k, _n)], match=match_svd)

for _label, _shape in [("values-square", (3, 3)), ("values-tall", (5, 2)), ("values-wide", (2, 3)),
                       ("values-batched", (2, 2, 4))]:
    case(np.linalg.svd, _label, lambda d, shape=_shape: call(svd_matrix(d, shape), compute_uv=False),
         lambda T, a, compute_uv: T.linalg.svdvals(a))


# --- np.linalg.eigh, eigvalsh ---------------------------------------------------------------------------------

for _label, _shape, _uplo in [("lower", (3, 3), "L"), ("upper", (4, 4), "U"), ("batched", (2, 3, 3), "L"),
                              ("one-by-one", (1, 1), "L")]:
    _n = _shape[-1]
    tuple_case(np.linalg.eigh, _label,
               lambda d, shape=_shape, uplo=_uplo: call(
                   one_piece(d, np.linalg.eigh, symmetric_matrix(d, shape, uplo), uplo), uplo),
               [_shape[:-1], _shape], match=match_eigh)
    case(np.linalg.eigvalsh, _label, lambda d, shape=_shape, uplo=_uplo: call(symmetric_matrix(d, shape, uplo), uplo),
         t_eigvalsh)
case(np.linalg.eigvalsh, "default", lambda d: call(symmetric_matrix(d, (3, 3))), t_eigvalsh)


# --- np.linalg.eig, eigvals (real eigenvalues) ---------------------------------------------------------------

# NumPy 2.5 returns complex eigenvalues from eig and eigvals whatever the spectrum, which srcgrad refuses: the
# rules then have nothing to check, and the coverage tests are told so.
EIG_GIVES_REAL = not np.iscomplexobj(np.linalg.eigvals(np.eye(2)))
if not EIG_GIVES_REAL:
    _cases.UNCOVERABLE = getattr(_cases, "UNCOVERABLE", set()) | {id(np.linalg.eig), id(np.linalg.eigvals),
                                                                    id(eig_vectors)}

for _label, _shape in [("3x3", (3, 3)), ("4x4", (4, 4)), ("batched", (2, 3, 3)), ("one-by-one", (1, 1))]:
    if not EIG_GIVES_REAL:
        break
    tuple_case(np.linalg.eig, _label, lambda d, shape=_shape: call(one_piece(d, np.linalg.eig, eig_matrix(d, shape))),
               [_shape[:-1], _shape], match=match_eig)
    matched_case(np.linalg.eigvals, _label,
                 lambda d, shape=_shape: call(one_piece(d, np.linalg.eigvals, eig_matrix(d, shape))), match_eigvals)


# --- np.linalg.slogdet --------------------------------------------------------------------------------------

tuple_case(np.linalg.slogdet, "2d", lambda d: call(d.matrix((3, 3))), [(), ()], t_slogdet)
tuple_case(np.linalg.slogdet, "batched", lambda d: call(d.matrix((2, 3, 3))), [(2,), (2,)], t_slogdet)
tuple_case(np.linalg.slogdet, "negative-det", lambda d: call(-np.eye(3) + 0.1 * d.arr((3, 3))), [(), ()], t_slogdet)


# --- np.linalg.pinv ---------------------------------------------------------------------------------------------

for _label, _shape in [("square", (3, 3)), ("tall", (4, 2)), ("wide", (2, 4)), ("batched", (2, 3, 2))]:
    case(np.linalg.pinv, _label, lambda d, shape=_shape: call(svd_matrix(d, shape)), lambda T, a: T.linalg.pinv(a))
case(np.linalg.pinv, "rtol", lambda d: call(svd_matrix(d, (3, 4)), rtol=1e-10),
     lambda T, a, rtol: T.linalg.pinv(a, rtol=rtol))


# --- np.linalg.lstsq -------------------------------------------------------------------------------------------

for _label, _sa, _sb in [("tall-vector", (5, 3), (5,)), ("tall-matrix", (4, 2), (4, 3)),
                         ("square", (3, 3), (3,)), ("wide-vector", (2, 4), (2,)), ("wide-matrix", (2, 3), (2, 2))]:
    _m, _n = _sa
    _k = min(_m, _n)
    _x_shape = (_n,) + _sb[1:]
    _res_shape = ((_sb[1] if len(_sb) > 1 else 1),) if _m > _n else (0,)
    tuple_case(np.linalg.lstsq, _label,
               lambda d, sa=_sa, sb=_sb: call(svd_matrix(d, sa), d.arr(sb), rcond=None),
               [_x_shape, _res_shape, (), (_k,)])


# --- np.linalg.cholesky -------------------------------------------------------------------------------------

case(np.linalg.cholesky, "lower", lambda d: call(spd_matrix(d, (3, 3))), t_cholesky)
case(np.linalg.cholesky, "upper", lambda d: call(spd_matrix(d, (4, 4), "U"), upper=True), t_cholesky)
case(np.linalg.cholesky, "batched", lambda d: call(spd_matrix(d, (2, 3, 3))), t_cholesky)


# --- rule helpers with rules of their own (linalg_helpers.py) -----------------------------------------------------

case(from_triangle, "lower", lambda d: call(d.arr((3, 3)), "L"))
case(from_triangle, "upper-batched", lambda d: call(d.arr((2, 4, 4)), "U"))
case(to_triangle, "lower", lambda d: call(d.arr((3, 3)), "L"))
case(to_triangle, "upper-batched", lambda d: call(d.arr((2, 4, 4)), "U"))
case(inverse_gaps, "vector", lambda d: call(_spread(d, (), 4, signed=True)))
case(inverse_gaps, "batched", lambda d: call(_spread(d, (2,), 3)))
case(checked, "identity", lambda d: call(d.arr((2, 3)), None))
case(residuals_like, "one", lambda d: call(d.arr(()), (1,)))
case(residuals_like, "columns", lambda d: call(d.arr((3,)), (3,)))
case(residuals_like, "none", lambda d: call(d.arr((2,)), (0,)))


def _eig_vectors_args(d, shape):
    a = one_piece(d, np.linalg.eig, eig_matrix(d, shape))
    return call(np.linalg.eigvals(a), a)


if EIG_GIVES_REAL:
    matched_case(eig_vectors, "3x3", lambda d: _eig_vectors_args(d, (3, 3)), match_columns)
    matched_case(eig_vectors, "batched", lambda d: _eig_vectors_args(d, (2, 3, 3)), match_columns)

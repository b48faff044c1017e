"""Gradients, forward derivatives and Hessians of functions built on ``np.linalg``'s decompositions: the
nuclear norm (``svd``), a log-determinant (``slogdet``), a Gaussian-process negative log marginal likelihood
(``cholesky`` and triangular solves with ``np.linalg.solve``), least-squares losses (``lstsq``), sums of top
eigenvalues (``eigh``, ``eigvalsh``), ``pinv`` and ``eig``/``eigvals`` of matrices with real eigenvalues.

Each function is checked against central finite differences, and against HIPS autograd running the same
function over ``autograd.numpy`` where autograd has the operation (PyTorch where it does not, or in
addition). Functions of singular vectors and eigenvectors use them in ways that do not depend on their signs,
and the matrices have well-separated spectra. The refusals (complex eigenvalues, the arbitrary extra columns
of ``svd(full_matrices=True)``, singular values that ``pinv`` cuts off) are checked too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gradcheck import assert_close, check_grad, finite_difference

import srcgrad

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

RNG = np.random.default_rng(20240611)


def _orthonormal(n, k, rng):
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return (q * np.sign(np.diag(r)))[:, :k]


def with_singular_values(m, n, values, rng):
    """An ``m x n`` matrix with the given (well-separated) singular values."""
    k = min(m, n)
    return (_orthonormal(m, k, rng) * np.asarray(values)) @ _orthonormal(n, k, rng).T


def with_eigenvalues(values, rng):
    """A symmetric matrix with the given eigenvalues."""
    q = _orthonormal(len(values), len(values), rng)
    return (q * np.asarray(values)) @ q.T


def with_real_eigenvalues(values, rng):
    """A non-symmetric matrix ``X diag(w) X^-1`` with the given real eigenvalues."""
    n = len(values)
    x = np.eye(n) + 0.3 * rng.normal(size=(n, n)) / math.sqrt(n)
    return np.linalg.solve(x.T, (x * np.asarray(values)).T).T


A_TALL = with_singular_values(5, 3, [3.0, 2.0, 1.0], RNG)
A_SQUARE = with_singular_values(4, 4, [4.0, 3.1, 2.2, 1.3], RNG)
S_SYM = with_eigenvalues([-2.5, -0.5, 1.0, 2.5], RNG)
A_EIG = with_real_eigenvalues([-1.5, 0.5, 2.0, 3.5], RNG)
B_LS = RNG.normal(size=5)
B_LS_MATRIX = RNG.normal(size=(5, 2))
WEIGHTS_53 = RNG.normal(size=(5, 3))
WEIGHTS_44 = RNG.normal(size=(4, 4))
GP_X = np.linspace(-2.0, 2.0, 7)
GP_Y = np.sin(1.3 * GP_X) + 0.1 * RNG.normal(size=7)
GP_PARAMS = np.array([-0.2, 0.3, -1.5])


# --- the functions, over NumPy -----------------------------------------------------------------------------


def nuclear_norm(a):
    return np.sum(np.linalg.svd(a, compute_uv=False))


def nuclear_norm_from_factors(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    low_rank = (u[:, :2] * s[:2]) @ vt[:2, :]
    return np.sum(s) + 0.3 * np.sum(low_rank * WEIGHTS_53)


def log_det(a):
    sign, logabsdet = np.linalg.slogdet(a)
    return logabsdet


def log_det_gram(a):
    sign, logabsdet = np.linalg.slogdet(a.T @ a + np.eye(3))
    return logabsdet * sign


def gp_negative_log_likelihood(params):
    lengthscale, variance, noise = np.exp(params[0]), np.exp(params[1]), np.exp(params[2])
    distances = (GP_X[:, None] - GP_X[None, :]) ** 2
    k = variance * np.exp(-0.5 * distances / lengthscale ** 2) + (noise + 1e-6) * np.eye(7)
    chol = np.linalg.cholesky(k)
    alpha = np.linalg.solve(chol.T, np.linalg.solve(chol, GP_Y))
    return 0.5 * GP_Y @ alpha + np.sum(np.log(np.diagonal(chol))) + 3.5 * np.log(2.0 * np.pi)


def least_squares_loss(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b, rcond=None)
    return np.sum((a @ x - b) ** 2) + np.sum(x ** 2) + residuals[0] + 0.1 * s[0]


def least_squares_matrix(a, b):
    x = np.linalg.lstsq(a, b, rcond=None)[0]
    return np.sum(x ** 3)


def top_eigenvalues(s):
    w, v = np.linalg.eigh(s)
    return np.sum(w[-2:]) + np.sum(v[:, -1] ** 2 * np.arange(4.0))


def top_eigenvalues_sym(x):
    w, v = np.linalg.eigh(x + x.T)
    return np.sum(w[-2:]) + np.sum(v[:, -1] ** 2 * np.arange(4.0))


def log_sum_exp_eigenvalues(s):
    return np.log(np.sum(np.exp(np.linalg.eigvalsh(s, UPLO="U"))))


def pinv_weights(a):
    return np.sum(np.linalg.pinv(a) * WEIGHTS_53.T) + np.sum(np.linalg.pinv(a) ** 2)


# NumPy 2.5 returns complex eigenvalues from eig and eigvals whatever the spectrum (srcgrad refuses complex
# values): the tests of their rules need a NumPy that returns real ones for a real spectrum.
EIG_GIVES_REAL = not np.iscomplexobj(np.linalg.eigvals(np.eye(2)))


def real_eig(a):
    w, v = np.linalg.eig(a)
    return np.sum(w ** 3) + np.sum(w * np.sum(v ** 2 * np.arange(1.0, 5.0)[:, None], axis=0))


def exp_eigvals(a):
    return np.sum(np.exp(np.linalg.eigvals(a)))


def spd_cholesky_upper(x):
    u = np.linalg.cholesky(x @ x.T + np.eye(4), upper=True)
    return np.sum(u * WEIGHTS_44) + np.sum(np.log(np.diagonal(u)))


# --- the same functions over autograd.numpy -------------------------------------------------------------------


def nuclear_norm_ag(a):
    return anp.sum(anp.linalg.svd(a, compute_uv=False))


def nuclear_norm_from_factors_ag(a):
    u, s, vt = anp.linalg.svd(a, full_matrices=False)
    low_rank = anp.dot(u[:, :2] * s[:2], vt[:2, :])
    return anp.sum(s) + 0.3 * anp.sum(low_rank * WEIGHTS_53)


def log_det_ag(a):
    return anp.linalg.slogdet(a)[1]


def log_det_gram_ag(a):
    sign, logabsdet = anp.linalg.slogdet(anp.dot(a.T, a) + anp.eye(3))
    return logabsdet * sign


def gp_negative_log_likelihood_ag(params):
    lengthscale, variance, noise = anp.exp(params[0]), anp.exp(params[1]), anp.exp(params[2])
    distances = (GP_X[:, None] - GP_X[None, :]) ** 2
    k = variance * anp.exp(-0.5 * distances / lengthscale ** 2) + (noise + 1e-6) * anp.eye(7)
    chol = anp.linalg.cholesky(k)
    alpha = anp.linalg.solve(chol.T, anp.linalg.solve(chol, GP_Y))
    return 0.5 * anp.dot(GP_Y, alpha) + anp.sum(anp.log(anp.diagonal(chol, 0, -1, -2))) + 3.5 * anp.log(2.0 * anp.pi)


def least_squares_loss_ag(a, b):
    # The full-column-rank least-squares solution from the normal equations (autograd has no lstsq).
    x = anp.linalg.solve(anp.dot(a.T, a), anp.dot(a.T, b))
    residual = anp.sum((anp.dot(a, x) - b) ** 2)
    return residual + anp.sum(x ** 2) + residual + 0.1 * anp.linalg.svd(a, compute_uv=False)[0]


def least_squares_matrix_ag(a, b):
    return anp.sum(anp.linalg.solve(anp.dot(a.T, a), anp.dot(a.T, b)) ** 3)


def top_eigenvalues_ag(s):
    w, v = anp.linalg.eigh(s)
    return anp.sum(w[-2:]) + anp.sum(v[:, -1] ** 2 * anp.arange(4.0))


def top_eigenvalues_sym_ag(x):
    w, v = anp.linalg.eigh(x + x.T)
    return anp.sum(w[-2:]) + anp.sum(v[:, -1] ** 2 * anp.arange(4.0))


def log_sum_exp_eigenvalues_ag(s):
    return anp.log(anp.sum(anp.exp(anp.linalg.eigh(s, UPLO="U")[0])))


def pinv_weights_ag(a):
    return anp.sum(anp.linalg.pinv(a) * WEIGHTS_53.T) + anp.sum(anp.linalg.pinv(a) ** 2)


def spd_cholesky_upper_ag(x):
    u = anp.linalg.cholesky(anp.dot(x, x.T) + anp.eye(4)).T
    return anp.sum(u * WEIGHTS_44) + anp.sum(anp.log(anp.diagonal(u, 0, -1, -2)))


# (name, NumPy function, autograd twin or None, arguments, the argument differentiated)
FUNCTIONS = [
    ("nuclear-norm", nuclear_norm, nuclear_norm_ag, (A_TALL,), 0),
    ("nuclear-norm-square", nuclear_norm, nuclear_norm_ag, (A_SQUARE,), 0),
    ("nuclear-norm-factors", nuclear_norm_from_factors, nuclear_norm_from_factors_ag, (A_TALL,), 0),
    ("log-det", log_det, log_det_ag, (A_SQUARE,), 0),
    ("log-det-gram", log_det_gram, log_det_gram_ag, (A_TALL,), 0),
    ("gp-nll", gp_negative_log_likelihood, gp_negative_log_likelihood_ag, (GP_PARAMS,), 0),
    ("least-squares-a", least_squares_loss, least_squares_loss_ag, (A_TALL, B_LS), 0),
    ("least-squares-b", least_squares_loss, least_squares_loss_ag, (A_TALL, B_LS), 1),
    ("least-squares-matrix-a", least_squares_matrix, least_squares_matrix_ag, (A_TALL, B_LS_MATRIX), 0),
    ("top-eigenvalues", top_eigenvalues, top_eigenvalues_ag, (S_SYM,), 0),
    ("top-eigenvalues-sym", top_eigenvalues_sym, top_eigenvalues_sym_ag, (0.5 * S_SYM,), 0),
    ("eigvalsh-upper", log_sum_exp_eigenvalues, log_sum_exp_eigenvalues_ag, (S_SYM,), 0),
    ("pinv", pinv_weights, pinv_weights_ag, (A_TALL,), 0),
    ("eig", real_eig, None, (A_EIG,), 0),
    ("eigvals", exp_eigvals, None, (A_EIG,), 0),
    ("cholesky-upper", spd_cholesky_upper, spd_cholesky_upper_ag, (A_SQUARE,), 0),
]
FUNCTIONS = [entry for entry in FUNCTIONS if EIG_GIVES_REAL or entry[0] not in ("eig", "eigvals")]
IDS = [f[0] for f in FUNCTIONS]
WITH_AUTOGRAD = [f for f in FUNCTIONS if f[2] is not None]


def _direction(x):
    return np.random.default_rng(abs(hash(x.shape)) % 2**32).normal(size=x.shape)


def _central(f, args, argnum, v, step=1e-5):
    def at(t):
        moved = list(args)
        moved[argnum] = args[argnum] + t * v
        return float(f(*moved))
    return (at(-2 * step) - 8 * at(-step) + 8 * at(step) - at(2 * step)) / (12 * step)


@pytest.mark.parametrize(("name", "f", "f_ag", "args", "argnum"), FUNCTIONS, ids=IDS)
def test_gradient_matches_finite_differences(name, f, f_ag, args, argnum):
    check_grad(f, args, argnum)


@pytest.mark.parametrize(("name", "f", "f_ag", "args", "argnum"), WITH_AUTOGRAD, ids=[f[0] for f in WITH_AUTOGRAD])
def test_gradient_matches_autograd(name, f, f_ag, args, argnum):
    assert_close(srcgrad.grad(f, argnum)(*args), autograd.grad(f_ag, argnum)(*args), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize(("name", "f", "f_ag", "args", "argnum"), FUNCTIONS, ids=IDS)
def test_forward_derivative_matches_finite_differences(name, f, f_ag, args, argnum):
    v = _direction(args[argnum])
    tangents = tuple(v if i == argnum else np.zeros_like(a) for i, a in enumerate(args))
    out, tangent = srcgrad.jvp(f, args, tangents)
    assert_close(out, f(*args), rtol=1e-12, atol=1e-12, what="value")
    assert_close(tangent, _central(f, args, argnum, v), rtol=1e-7, atol=1e-8, what="tangent")
    assert_close(tangent, np.sum(srcgrad.grad(f, argnum)(*args) * v), rtol=1e-10, atol=1e-11,
                 what="tangent against the gradient")


@pytest.mark.parametrize(("name", "f", "f_ag", "args", "argnum"), FUNCTIONS, ids=IDS)
def test_hessian(name, f, f_ag, args, argnum):
    hessian = srcgrad.hessian(f, argnum)(*args)
    x = args[argnum]
    assert hessian.shape == x.shape + x.shape
    if f_ag is not None:
        assert_close(hessian, autograd.hessian(f_ag, argnum)(*args), rtol=1e-7, atol=1e-9, what="hessian")
    flat = np.reshape(hessian, (x.size, x.size))
    np.testing.assert_allclose(flat, flat.T, rtol=1e-8, atol=1e-9, err_msg="the Hessian is not symmetric")

    def gradient_along(v):
        return _central(lambda *a: np.sum(srcgrad.grad(f, argnum)(*a) * v), args, argnum, _direction(x), 1e-4)

    probe = np.random.default_rng(7).normal(size=x.shape)
    want = gradient_along(probe)
    got = float(np.sum(probe * np.tensordot(hessian, _direction(x), axes=x.ndim)))
    assert_close(got, want, rtol=1e-6, atol=1e-7, what="hessian against differences of the gradient")


def test_float32_gradients_stay_float32():
    for f, a in [(nuclear_norm, A_TALL), (log_det, A_SQUARE), (top_eigenvalues, S_SYM), (pinv_weights, A_TALL),
                 (spd_cholesky_upper, A_SQUARE)]:
        g = srcgrad.grad(f)(a.astype(np.float32))
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, srcgrad.grad(f)(a), rtol=2e-3, atol=2e-3)


def test_the_other_triangle_gets_no_gradient():
    noisy = S_SYM + np.triu(RNG.normal(size=(4, 4)), 1)
    np.testing.assert_array_equal(np.triu(srcgrad.grad(top_eigenvalues)(noisy), 1), 0.0)
    check_grad(top_eigenvalues, (noisy,))
    upper = srcgrad.grad(log_sum_exp_eigenvalues)(noisy.T)
    np.testing.assert_array_equal(np.tril(upper, -1), 0.0)


def test_gp_gradient_in_the_kernel_matrix():
    def nll(k):
        chol = np.linalg.cholesky(k)
        alpha = np.linalg.solve(chol.T, np.linalg.solve(chol, GP_Y))
        return 0.5 * GP_Y @ alpha + np.sum(np.log(np.diagonal(chol)))

    k = np.exp(-0.5 * (GP_X[:, None] - GP_X[None, :]) ** 2) + 0.1 * np.eye(7)
    g = check_grad(nll, (k,))
    np.testing.assert_array_equal(np.triu(g, 1), 0.0)  # cholesky reads the lower triangle


# --- refusals -----------------------------------------------------------------------------------------------


ROTATION = np.array([[0.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 1.0, 3.0]])


def real_part_of_eig(a):
    w, v = np.linalg.eig(a)
    return np.real(np.sum(w ** 2))


def real_part_of_eigvals(a):
    return np.real(np.sum(np.linalg.eigvals(a) ** 2))


@pytest.mark.parametrize("f", [real_eig, real_part_of_eig, real_part_of_eigvals])
def test_complex_eigenvalues_are_refused(f):
    with pytest.raises(srcgrad.SrcgradError, match="real eigenvalues only"):
        srcgrad.grad(f)(ROTATION)
    with pytest.raises(srcgrad.SrcgradError, match="real eigenvalues only"):
        srcgrad.jvp(f, (ROTATION,), (np.ones((4, 4)),))
    with pytest.raises(srcgrad.SrcgradError, match="real eigenvalues only"):
        srcgrad.hessian(f)(ROTATION)


def sum_of_singular_values_full(a):
    u, s, vt = np.linalg.svd(a)
    return np.sum(s) + np.sum(u[:, :3] * WEIGHTS_53)


def uses_the_extra_columns(a):
    u, s, vt = np.linalg.svd(a)
    return np.sum(u[:, 3:] ** 3)


def test_full_matrices_svd():
    # The first min(m, n) columns of U have derivatives; the others are an arbitrary basis.
    check_grad(sum_of_singular_values_full, (A_TALL,))
    with pytest.raises(srcgrad.SrcgradError, match="full_matrices"):
        srcgrad.grad(uses_the_extra_columns)(A_TALL)
    with pytest.raises(srcgrad.SrcgradError, match="full_matrices"):
        srcgrad.jvp(sum_of_singular_values_full, (A_TALL,), (np.ones((5, 3)),))
    square = srcgrad.jvp(nuclear_norm_square_full, (A_SQUARE,), (WEIGHTS_44,))[1]
    assert_close(square, np.sum(srcgrad.grad(nuclear_norm_square_full)(A_SQUARE) * WEIGHTS_44), rtol=1e-10)


def nuclear_norm_square_full(a):
    u, s, vt = np.linalg.svd(a)
    return np.sum(s) + np.sum((u * s) @ vt * WEIGHTS_44)


def pinv_cut(a):
    return np.sum(np.linalg.pinv(a, rcond=0.5))


def pinv_hermitian(a):
    return np.sum(np.linalg.pinv(a, hermitian=True))


def test_pinv_cutoffs():
    with pytest.raises(srcgrad.SrcgradError, match="cuts off"):
        srcgrad.grad(pinv_cut)(A_TALL)  # singular values 3, 2, 1: rcond=0.5 drops 1
    with pytest.raises(srcgrad.SrcgradError, match="hermitian"):
        srcgrad.grad(pinv_hermitian)(S_SYM)
    low_rank = with_singular_values(5, 3, [3.0, 2.0, 0.0], RNG)
    # A singular value that is zero up to rounding: the derivative at constant rank.
    g = srcgrad.grad(pinv_weights)(low_rank)
    assert np.all(np.isfinite(g))
    assert_close(g, autograd.grad(pinv_weights_ag)(low_rank), rtol=1e-6, atol=1e-8)


# --- PyTorch, for the decompositions whose results are tuples -------------------------------------------------


def test_tuple_decompositions_against_torch():
    torch = pytest.importorskip("torch")

    def t(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def torch_grad(fn, *xs):
        leaves = [t(x) for x in xs]
        return [g.numpy() for g in torch.autograd.grad(fn(*leaves), leaves)]

    w53, w44 = torch.tensor(WEIGHTS_53), torch.tensor(WEIGHTS_44)

    def nuclear(a):
        u, s, vh = torch.linalg.svd(a, full_matrices=False)
        return s.sum() + 0.3 * ((u[:, :2] * s[:2]) @ vh[:2, :] * w53).sum()

    def eigs(x):
        w, v = torch.linalg.eigh(x + x.T)
        return w[-2:].sum() + (v[:, -1] ** 2 * torch.arange(4.0, dtype=torch.float64)).sum()

    def logdet(a):
        return torch.linalg.slogdet(a)[1]

    def least_squares(a, b):
        x = torch.linalg.lstsq(a, b.unsqueeze(-1), driver="gelsd").solution.squeeze(-1)
        return ((a @ x - b) ** 2).sum() * 2 + (x ** 2).sum() + 0.1 * torch.linalg.svdvals(a)[0]

    def eigvals(a):
        return torch.exp(torch.linalg.eigvals(a)).real.sum()

    def cholesky_upper(x):
        u = torch.linalg.cholesky(x @ x.T + torch.eye(4, dtype=torch.float64), upper=True)
        return (u * w44).sum() + torch.log(torch.diagonal(u)).sum()

    for ours, theirs, args in [(nuclear_norm_from_factors, nuclear, (A_TALL,)),
                               (top_eigenvalues_sym, eigs, (0.5 * S_SYM,)), (log_det, logdet, (A_SQUARE,)),
                               (least_squares_loss, least_squares, (A_TALL, B_LS)),
                               (exp_eigvals, eigvals, (A_EIG,)), (spd_cholesky_upper, cholesky_upper, (A_SQUARE,))]:
        got = srcgrad.grad(ours, argnums=tuple(range(len(args))))(*args)
        for mine, want in zip(got, torch_grad(theirs, *args)):
            assert_close(mine, want, rtol=1e-9, atol=1e-11)


def test_reference_differences_are_sane():
    # The finite differences the Hessian test relies on, on a function with a known Hessian: log det.
    inverse = np.linalg.inv(A_SQUARE)
    v = _direction(A_SQUARE)
    want = -np.sum(v * (inverse @ v @ inverse).T)
    got = _central(lambda a: np.sum(srcgrad.grad(log_det)(a) * v), (A_SQUARE,), 0, v, 1e-4)
    assert_close(got, want, rtol=1e-7, atol=1e-9)
    assert_close(finite_difference(log_det, (A_SQUARE,), 0), inverse.T, rtol=1e-5, atol=1e-7)


# --- forward mode over forward mode: second derivatives along a line ------------------------------------------


def nuclear_norm_line(t):
    return nuclear_norm_from_factors(A_TALL + t * WEIGHTS_53)


def top_eigenvalues_line(t):
    return top_eigenvalues(S_SYM + t * WEIGHTS_44)


def gp_line(t):
    return gp_negative_log_likelihood(GP_PARAMS + t * np.array([0.3, -0.2, 0.5]))


def least_squares_line(t):
    return least_squares_loss(A_TALL + t * WEIGHTS_53, B_LS)


def eig_line(t):
    return real_eig(A_EIG + t * WEIGHTS_44)


def pinv_line(t):
    return pinv_weights(A_TALL + t * WEIGHTS_53)


@pytest.mark.parametrize("line", [nuclear_norm_line, top_eigenvalues_line, gp_line, least_squares_line,
                                  *([eig_line] if EIG_GIVES_REAL else []), pinv_line], ids=lambda f: f.__name__)
def test_second_derivative_along_a_line(line):
    second = srcgrad.derivative(line, 2)(0.0)
    first = srcgrad.derivative(line, 1)
    want = (first(-2e-4) - 8 * first(-1e-4) + 8 * first(1e-4) - first(2e-4)) / 12e-4
    assert_close(second, want, rtol=1e-6, atol=1e-7, what="second derivative")


def test_slogdet_of_a_singular_matrix_is_refused():
    singular = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(srcgrad.SrcgradError, match="singular"):
        srcgrad.grad(log_det)(singular)
    with pytest.raises(srcgrad.SrcgradError, match="singular"):
        srcgrad.jvp(log_det, (singular,), (np.ones((3, 3)),))

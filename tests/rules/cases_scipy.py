"""Rule-test cases for srcgrad/rules/scipy*_rules.py, registered into cases.py's table (which loads this file
at its end): the same ``case(primal, label, make, torch)`` form as there. Nothing is registered where SciPy
is not installed (its rules are not either).

The distributions' methods share one name per method (``rv_continuous.logpdf``): the labels name the
distribution. Matrices that a factorization reads one triangle of (``cholesky``, ``cho_factor``,
``multivariate_normal``'s covariance) get noise in the other triangle, which must get a zero gradient; the
torch functions mirror the triangle read, so that they compute the same function. ``cho_solve``'s first
argument is the ``(c, lower)`` pair, whose flag finite differences perturb as a number: its cases pass a
lower factor with the flag 1.5 (a perturbed ``False`` would turn true, a perturbed ``True`` false);
tests/transform/test_scipy_functions.py covers the upper factor end to end."""

import sys

import numpy as np

_cases = sys.modules["srcgrad_rule_test_cases"]
case, call = _cases.case, _cases.call
REAL, POS, NONZERO, LOG1P = _cases.REAL, _cases.POS, _cases.NONZERO, _cases.LOG1P

try:
    import scipy.linalg
    import scipy.special
except ImportError:  # SciPy is optional: its rules are not registered either
    scipy = None

UNIT_OPEN = (0.1, 0.9, False)
HALF = (0.5, 3.0, False)


def _t_bessel(name):
    return lambda T, x: getattr(T.special, name)(x)


def _t_symmetric(T, a, lower=True):
    """The symmetric matrix of the triangle a factorization reads."""
    return T.tril(a) + T.tril(a, -1).mT if lower else T.triu(a) + T.triu(a, 1).mT


def _noisy_spd(d, shape, lower=True):
    """A symmetric positive definite matrix with noise in the triangle ``lower`` says is not read."""
    n = shape[-1]
    b = d.rng.normal(size=shape)
    spd = b @ np.swapaxes(b, -1, -2) + n * np.eye(n)
    noise = d.rng.normal(size=shape)
    return spd + (np.triu(noise, 1) if lower else np.tril(noise, -1))


def _stable(d, n, sign=1.0):
    """A square matrix whose eigenvalues have real parts about ``sign * 3n`` (a diagonally dominant one)."""
    return d.values((n, n)) + sign * 3.0 * n * np.eye(n)


if scipy is not None:
    from srcgrad.rules import scipy_helpers as H
    from srcgrad.rules import scipy_rules as R

    sp, la = scipy.special, scipy.linalg

    # --- elementwise special functions -----------------------------------------------------------------

    UNARY = [
        (sp.gammaln, HALF, lambda T, x: T.special.gammaln(x)),
        (sp.psi, HALF, lambda T, x: T.special.digamma(x)),
        (sp.gamma, HALF, lambda T, x: T.exp(T.special.gammaln(x))),
        (sp.erf, REAL, lambda T, x: T.special.erf(x)),
        (sp.erfc, REAL, lambda T, x: T.special.erfc(x)),
        (sp.expit, REAL, lambda T, x: T.special.expit(x)),
        (sp.logit, UNIT_OPEN, lambda T, x: T.special.logit(x)),
        (sp.ndtr, REAL, lambda T, x: T.special.ndtr(x)),
        (sp.log_ndtr, REAL, lambda T, x: T.special.log_ndtr(x)),
        (sp.i0, REAL, _t_bessel("i0")),
        (sp.i1, REAL, _t_bessel("i1")),
        (sp.i0e, NONZERO, _t_bessel("i0e")),
        (sp.i1e, NONZERO, _t_bessel("i1e")),
    ]
    for _primal, _dom, _torch in UNARY:
        case(_primal, "array", lambda d, dom=_dom: call(d.arr(d.shape(), dom)), _torch)
        case(_primal, "float", lambda d, dom=_dom: call(d.flt(dom)), _torch)
    # far in the lower tail, where exp(-x^2 / 2) / Phi(x) is a ratio of two tiny numbers
    case(sp.log_ndtr, "tail", lambda d: call(d.arr((3,), (20.0, 40.0, False)) * -1.0),
         lambda T, x: T.special.log_ndtr(x))
    # I1' at zero is 1/2 (the recurrence needs no division by x)
    case(sp.i1, "zero", lambda d: call(np.array([0.0, 0.5])), _t_bessel("i1"))

    def _binary(dx, dy):
        def make(d):
            sx, sy = d.broadcast_shapes()
            return call(d.arr(sx, dx), d.arr(sy, dy))
        return make

    BINARY = [
        (sp.xlogy, REAL, POS, lambda T, x, y: T.special.xlogy(x, y)),
        (sp.xlog1py, REAL, LOG1P, lambda T, x, y: T.special.xlog1py(x, y)),
        (sp.betaln, HALF, HALF,
         lambda T, a, b: T.special.gammaln(a) + T.special.gammaln(b) - T.special.gammaln(a + b)),
    ]
    for _primal, _dx, _dy, _torch in BINARY:
        case(_primal, "broadcast", _binary(_dx, _dy), _torch)
        case(_primal, "col-row", lambda d, dx=_dx, dy=_dy: call(d.arr((3, 1), dx), d.arr((4,), dy)), _torch)
    # x == 0: xlogy is 0 for every y; its slope in x is still log(y) (and a zero cotangent stays zero)
    case(sp.xlogy, "zero-x", lambda d: call(np.array([0.0, 0.0, 1.0]), np.array([0.5, 2.0, 3.0])),
         lambda T, x, y: T.special.xlogy(x, y))

    def _order_and_points(dom):
        def make(d):
            shape = d.shape(0, 2)
            return call(d.pick([0, 1, 2, 3]), d.arr(shape, dom))
        return make

    # torch's polygamma of order 1 and more agrees with SciPy's to about 1e-9 only: compared at order 0
    case(sp.polygamma, "orders", _order_and_points(HALF))
    case(sp.polygamma, "order-zero", lambda d: call(0, d.arr(d.shape(), HALF)),
         lambda T, n, x: T.special.polygamma(n, x))
    case(sp.polygamma, "order-array", lambda d: call(np.array([0, 1, 2]), d.arr((2, 3), HALF)))
    case(H.polygamma_of, "orders", _order_and_points(HALF))
    case(H.polygamma_of, "order-zero", lambda d: call(0, d.arr(d.shape(), HALF)),
         lambda T, n, x: T.special.polygamma(n, x))
    case(H.polygamma_of, "order-array", lambda d: call(np.array([[0], [2]]), d.arr((2, 3), HALF)))
    case(sp.iv, "integer-orders", lambda d: call(d.pick([0, 1, 2]), d.arr(d.shape(), NONZERO)))
    case(sp.iv, "half-order", lambda d: call(0.5, d.arr(d.shape(), POS)))
    case(sp.iv, "order-array", lambda d: call(np.array([0.0, 1.5, 3.0]), d.arr((2, 3), POS)))
    case(sp.ive, "integer-orders", lambda d: call(d.pick([0, 1, 2]), d.arr(d.shape(), NONZERO)))
    case(sp.ive, "half-order", lambda d: call(1.5, d.arr(d.shape(), POS)))

    # --- logsumexp and its weights ---------------------------------------------------------------------

    def _t_logsumexp(T, a, axis=None, b=None, keepdims=False):
        terms = a if b is None else a + T.log(b)
        dims = tuple(range(terms.ndim)) if axis is None else axis
        return T.logsumexp(terms, dim=dims, keepdim=keepdims)

    def _logsumexp(weights):
        def make(d):
            shape = d.shape(1, 3)
            b = d.arr(shape[d.int(0, len(shape)):], POS) if weights else None
            return call(d.arr(shape), d.axis(len(shape)), b, keepdims=d.flag())
        return make

    case(sp.logsumexp, "axis", _logsumexp(False), _t_logsumexp)
    case(sp.logsumexp, "weights", _logsumexp(True), _t_logsumexp)
    case(sp.logsumexp, "wide-weights", lambda d: call(d.arr((3,)), -1, d.arr((2, 3), POS)), _t_logsumexp)
    case(sp.logsumexp, "large", lambda d: call(d.arr((2, 3)) + 800.0, 1, None), _t_logsumexp)
    case(H.lse_weights, "axis", lambda d: call(d.arr((2, 3)), d.pick([None, 0, 1, -1, (0, 1)]), None),
         lambda T, a, axis, b: T.softmax(a.reshape(-1), 0).reshape(a.shape) if axis in (None, (0, 1))
         else T.softmax(a, axis))
    case(H.lse_weights, "weights", lambda d: call(d.arr((2, 3)), d.pick([None, 1]), d.arr((3,), POS)))

    # --- scipy.stats -------------------------------------------------------------------------------------

    if R.stats is not None:  # SciPy's stats imports (see scipy_rules.py)

        def _located(dom, *shapes):
            """x from ``dom``, then the shape parameters from the domains ``shapes``, the location and the scale,
            all broadcast against each other: arrays or Python floats."""
            def make(d):
                sx, *rest = d.broadcast_shapes(3 + len(shapes))
                params = [d.arr(s, dom_p) for s, dom_p in zip(rest, shapes)]
                loc = d.arr(rest[-2], (-0.5, 0.5, False))
                return call(d.arr(sx, dom), *params, loc, d.arr(rest[-1], (0.7, 2.0, False)))
            return make

        def _t_normal(method):
            def run(T, x, loc=0, scale=1):
                dist = T.distributions.Normal(loc, scale, validate_args=False)
                if method == "logcdf":
                    return T.special.log_ndtr((x - loc) / scale)
                value = dist.log_prob(x) if method in ("logpdf", "pdf") else dist.cdf(x)
                return T.exp(value) if method == "pdf" else value
            return run

        for _primal, _method in ((R.NORM_LOGPDF, "logpdf"), (R.NORM_PDF, "pdf"), (R.NORM_CDF, "cdf"),
                                 (R.NORM_LOGCDF, "logcdf")):
            case(_primal, "norm-broadcast", _located(REAL), _t_normal(_method))
            case(_primal, "norm-standard", lambda d: call(d.arr(d.shape()), 0.0, 1.0), _t_normal(_method))

        def _t_student(log):
            def run(T, x, df, loc=0, scale=1):
                value = T.distributions.StudentT(df, loc, scale, validate_args=False).log_prob(x)
                return value if log else T.exp(value)
            return run

        _DF = (1.5, 6.0, False)
        for _primal, _torch in ((R.T_LOGPDF, _t_student(True)), (R.T_PDF, _t_student(False)), (R.T_CDF, None),
                                (R.T_LOGCDF, None)):
            case(_primal, "t-broadcast", _located(REAL, _DF), _torch)
            case(_primal, "t-arrays", lambda d: call(d.arr((2, 3)), d.arr((3,), _DF), d.arr((2, 1)), d.arr((3,), POS)),
                 _torch)

        def _t_gamma(method):
            def run(T, x, a, loc=0, scale=1):
                y = (x - loc) / scale
                if method in ("cdf", "logcdf"):
                    value = T.special.gammainc(T.as_tensor(a, dtype=T.float64), y)
                    return T.log(value) if method == "logcdf" else value
                value = T.distributions.Gamma(a, 1.0 / scale, validate_args=False).log_prob(x - loc)
                return value if method == "logpdf" else T.exp(value)
            return run

        def _gamma_points(d):
            sx, sa, sl, ss = d.broadcast_shapes(4)
            loc = d.arr(sl, (-0.5, 0.5, False))
            scale = d.arr(ss, (0.7, 2.0, False))
            y = d.arr(sx, (0.3, 3.0, False))
            return call(loc + scale * y, d.arr(sa, HALF), loc, scale)

        for _primal, _method in ((R.GAMMA_LOGPDF, "logpdf"), (R.GAMMA_PDF, "pdf"), (R.GAMMA_CDF, "cdf"),
                                 (R.GAMMA_LOGCDF, "logcdf")):
            case(_primal, "gamma-broadcast", _gamma_points, _t_gamma(_method))
            case(_primal, "gamma-floats", lambda d: call(d.arr(d.shape(), (0.3, 3.0, False)), d.flt(HALF), 0.0, 1.0),
                 _t_gamma(_method))

        def _t_beta(log):
            def run(T, x, a, b, loc=0, scale=1):
                value = (T.distributions.Beta(a, b, validate_args=False).log_prob((x - loc) / scale)
                         - T.log(T.as_tensor(scale, dtype=T.float64)))
                return value if log else T.exp(value)
            return run

        def _beta_points(d):
            sx, sa, sb, sl, ss = d.broadcast_shapes(5)
            loc = d.arr(sl, (-0.5, 0.5, False))
            scale = d.arr(ss, (0.7, 2.0, False))
            y = d.arr(sx, (0.1, 0.9, False))
            return call(loc + scale * y, d.arr(sa, HALF), d.arr(sb, HALF), loc, scale)

        for _primal, _torch in ((R.BETA_LOGPDF, _t_beta(True)), (R.BETA_PDF, _t_beta(False)), (R.BETA_CDF, None),
                                (R.BETA_LOGCDF, None)):
            case(_primal, "beta-broadcast", _beta_points, _torch)
            case(_primal, "beta-floats",
                 lambda d: call(d.arr(d.shape(), (0.1, 0.9, False)), d.flt(HALF), d.flt(HALF), 0.0, 1.0), _torch)

        def _t_poisson(method):
            def run(T, k, mu, loc=0):
                count = T.as_tensor(k, dtype=T.float64) - loc
                if method in ("cdf", "logcdf"):
                    value = T.special.gammaincc(T.floor(count) + 1, mu)
                    return T.log(value) if method == "logcdf" else value
                value = T.distributions.Poisson(mu, validate_args=False).log_prob(count)
                return value if method == "logpmf" else T.exp(value)
            return run

        def _counts(d):
            sk, sm = d.broadcast_shapes(scalars=False)
            return call(d.ints(sk, 0, 8), d.arr(sm, (0.5, 6.0, False)))

        for _primal, _method in ((R.POISSON_LOGPMF, "logpmf"), (R.POISSON_PMF, "pmf"), (R.POISSON_CDF, "cdf"),
                                 (R.POISSON_LOGCDF, "logcdf")):
            case(_primal, "poisson-broadcast", _counts, _t_poisson(_method))
            case(_primal, "poisson-shifted", lambda d: call(d.ints((4,), 2, 9), d.flt((0.5, 6.0, False)), 2),
                 _t_poisson(_method))

        def _t_mvn(log):
            def run(T, x, mean=None, cov=1, allow_singular=False):
                cov = T.as_tensor(cov, dtype=T.float64)
                dim = mean.numel() if mean is not None else (cov.shape[0] if cov.ndim == 2 else 1)
                if dim == 1:
                    sigma = cov.reshape(1, 1)
                elif cov.ndim < 2:
                    sigma = cov * T.eye(dim, dtype=T.float64)
                else:
                    sigma = _t_symmetric(T, cov)
                center = T.zeros(dim, dtype=T.float64) if mean is None else mean.reshape(dim)
                points = x.reshape(H.mvn_points_shape(np.empty(tuple(x.shape)), dim))
                value = T.distributions.MultivariateNormal(center, covariance_matrix=sigma).log_prob(points)
                value = value.reshape(np.squeeze(np.empty(tuple(value.shape))).shape)
                return value if log else T.exp(value)
            return run

        def _mvn(points, cov_kind, with_mean=True):
            def make(d):
                dim = d.int(2, 3)
                shape = {"one": (dim,), "rows": (d.int(1, 4), dim), "grid": (2, d.int(1, 3), dim)}[points]
                cov = {"matrix": _noisy_spd(d, (dim, dim)), "vector": d.arr((dim,), (0.5, 2.0, False)),
                       "number": d.flt((0.5, 2.0, False))}[cov_kind]
                mean = d.arr((dim,)) if with_mean else None
                return call(d.arr(shape), mean, cov)
            return make

        for _primal, _log in ((R.MVN_LOGPDF, True), (R.MVN_PDF, False)):
            case(_primal, "mvn-rows", _mvn("rows", "matrix"), _t_mvn(_log))
            case(_primal, "mvn-one-point", _mvn("one", "matrix"), _t_mvn(_log))
            case(_primal, "mvn-grid", _mvn("grid", "matrix"), _t_mvn(_log))
            case(_primal, "mvn-diagonal", _mvn("rows", "vector"), _t_mvn(_log))
            case(_primal, "mvn-isotropic", _mvn("rows", "number"), _t_mvn(_log))
            case(_primal, "mvn-no-mean", _mvn("rows", "matrix", with_mean=False), _t_mvn(_log))
            case(_primal, "mvn-one-dimensional", lambda d: call(d.arr((4,)), d.flt(), d.flt((0.5, 2.0, False))),
                 _t_mvn(_log))
        case(H.mvn_mean, "vector", lambda d: call(d.arr((3,)), 3))
        case(H.mvn_mean, "number", lambda d: call(d.flt(), 1))
        case(H.mvn_cov, "matrix", lambda d: call(d.arr((3, 3)), 3), lambda T, cov, dim: _t_symmetric(T, cov))
        case(H.mvn_cov, "vector", lambda d: call(d.arr((3,)), 3), lambda T, cov, dim: T.diag(cov))
        case(H.mvn_cov, "number", lambda d: call(d.flt(), 2), lambda T, cov, dim: cov * T.eye(2, dtype=T.float64))
        case(H.mvn_cov, "dimension-one", lambda d: call(d.arr((1,)), 1), lambda T, cov, dim: cov.reshape(1, 1))

    # --- scipy.linalg ------------------------------------------------------------------------------------

    def _t_solve_triangular(T, a, b, trans=0, lower=False, unit_diagonal=False):
        tri = T.tril(a) if lower else T.triu(a)
        transposed = trans not in (0, "N")
        matrix = tri.mT if transposed else tri
        column = b.ndim == 1
        x = T.linalg.solve_triangular(matrix, b.unsqueeze(-1) if column else b, upper=lower == transposed,
                                      unitriangular=unit_diagonal)
        return x.squeeze(-1) if column else x

    def _triangular_system(d):
        n = d.int(1, 4)
        b = d.arr((n,) if d.flag() else (n, d.int(1, 3)))
        return call(d.matrix((n, n)), b, trans=d.pick([0, 1, 2, "N", "T", "C"]), lower=d.flag(),
                    unit_diagonal=d.flag())

    case(la.solve_triangular, "options", _triangular_system, _t_solve_triangular)
    case(la.solve_triangular, "defaults", lambda d: call(d.matrix((3, 3)), d.arr((3, 2))), _t_solve_triangular)

    def _cholesky(batch):
        def make(d):
            lower = d.flag()
            return call(_noisy_spd(d, batch + (d.int(1, 4),) * 2, lower), lower=lower)
        return make

    case(la.cholesky, "matrix", _cholesky(()),
         lambda T, a, lower=False: T.linalg.cholesky(_t_symmetric(T, a, lower), upper=not lower))
    try:  # SciPy batches its linear algebra from 1.15 on
        la.cholesky(np.stack([np.eye(2), np.eye(2)]))
        _batches = True
    except ValueError:
        _batches = False
    if _batches:
        case(la.cholesky, "batch", _cholesky((2,)),
             lambda T, a, lower=False: T.linalg.cholesky(_t_symmetric(T, a, lower), upper=not lower))
    case(la.cholesky, "default-upper", lambda d: call(_noisy_spd(d, (3, 3), lower=False)),
         lambda T, a: T.linalg.cholesky(_t_symmetric(T, a, False), upper=True))

    def _pair_factor(ans):
        return ans[0]

    def _pair_cotangent(g):
        return (g, 0.0)

    case(la.cho_factor, "either-triangle", _cholesky(()), project=_pair_factor, cotangent=_pair_cotangent)
    case(la.cho_factor, "default-upper", lambda d: call(_noisy_spd(d, (3, 3), lower=False)), project=_pair_factor,
         cotangent=_pair_cotangent)

    def _t_cho_solve(T, c_and_lower, b, **options):
        factor = T.tril(c_and_lower[0])
        column = b.ndim == 1
        x = T.cholesky_solve(b.unsqueeze(-1) if column else b, factor, upper=False)
        return x.squeeze(-1) if column else x

    def _cho_system(d):
        # The flag is the number 1.5, which LAPACK's wrapper truncates to 1 (lower): finite differences move
        # it by a few thousandths, which would take a True (1) below 1, to 0 (upper).
        n = d.int(1, 4)
        c, _ = la.cho_factor(_noisy_spd(d, (n, n)), lower=True)
        return call((c, 1.5), d.arr((n,) if d.flag() else (n, d.int(1, 3))))

    case(la.cho_solve, "lower", _cho_system, _t_cho_solve)

    case(la.sqrtm, "positive-definite", lambda d: call(_noisy_spd(d, (3, 3)) + _noisy_spd(d, (3, 3)).T))
    case(la.sqrtm, "nonsymmetric", lambda d: call(_stable(d, d.int(1, 4))))
    case(la.expm, "matrix", lambda d: call(0.5 * d.arr((d.int(1, 4),) * 2)), lambda T, a: T.linalg.matrix_exp(a))
    case(la.expm, "batch", lambda d: call(0.5 * d.arr((2, 3, 3))), lambda T, a: T.linalg.matrix_exp(a))

    def _sylvester(d):
        n, m = d.int(1, 3), d.int(1, 3)
        return call(_stable(d, n), _stable(d, m), d.arr((n, m)))

    case(la.solve_sylvester, "rectangular", _sylvester)

    # --- the linear helpers of the linear-algebra rules ---------------------------------------------------

    def _t_triangle(T, m, lower, unit_diagonal=False):
        k = 1 if unit_diagonal else 0
        return T.tril(m, -k) if lower else T.triu(m, k)

    case(H.triangle, "either", lambda d: call(d.arr(d.shape(2, 3, lo=2)), d.flag(), d.flag()), _t_triangle)
    case(H.other_triangle, "lower", lambda d: call(d.arr((3, 3)), True))
    case(H.other_triangle, "upper", lambda d: call(d.arr((2, 3, 3)), False))
    case(H.transpose_if, "either", lambda d: call(d.arr(d.shape(2, 3)), d.flag()),
         lambda T, m, flag: m.mT * 1 if flag else m * 1)
    case(H.lower_half, "matrix", lambda d: call(d.arr(d.shape(2, 3, lo=2))),
         lambda T, m: 0.5 * (T.tril(m) + T.tril(m, -1)))
    case(H.symmetric_from, "either", lambda d: call(d.arr((d.int(1, 4),) * 2), d.flag()),
         lambda T, m, lower: _t_symmetric(T, m, lower))
    case(H.symmetric_from, "batch", lambda d: call(d.arr((2, 3, 3)), d.flag()),
         lambda T, m, lower: _t_symmetric(T, m, lower))
    case(H.symmetric_from_adjoint, "either", lambda d: call(d.arr((3, 3)), d.flag()))
    case(H.symmetric_from_adjoint, "batch", lambda d: call(d.arr((2, 2, 2)), d.flag()))
    def _frechet(d):
        n = d.int(1, 3)
        batch = () if d.flag() else (2,)
        return call(0.5 * d.arr(batch + (n, n)), d.arr(batch + (n, n)))

    case(H.expm_frechet_of, "matrix", _frechet)
    case(H.block_upper, "matrix", lambda d: call(d.arr((2, 2)), d.arr((2, 2))))
    case(H.block_upper, "batch", lambda d: call(d.arr((2, 3, 3)), d.arr((3, 3))))
    case(H.upper_right, "matrix", lambda d: call(d.arr((4, 4))))
    case(H.upper_right, "batch", lambda d: call(d.arr((2, 6, 6))))


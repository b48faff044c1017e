"""Rule-test cases for srcgrad/rules/fft*_rules.py, and for the rules that analysis/complex_values.py lets
see complex operands, registered into cases.py's table (which loads this file at its end).

Complex values follow the convention of JAX and HIPS autograd: a complex cotangent is ``dL/dx - i dL/dy``,
so the harness pairs a partial with a direction as ``Re(sum(partial * v))`` and draws complex cotangents,
directions and tangents for complex outputs and arguments (``cases.as_numbers``, ``cases.direction_like``).
A real argument of an operation with a complex output may get a complex partial here: its real part is its
partial (generated code takes it, ``helpers.real_like``), and the tests compare that part.

Every transform of ``np.fft`` is drawn with ``n``/``s`` that crop and zero-pad, every ``norm``, and axes in
any order; those that take complex input are drawn with complex input too, where ``irfft`` and ``hfft`` see
imaginary parts at the zero and Nyquist frequencies, which they ignore. The ``complex-*`` cases of NumPy's
and the operators' own rules are what ``complex_values.VERIFIED`` rests on. PyTorch (``torch.fft``) is the
oracle where it has the function; its complex gradients are the conjugates of srcgrad's, which
test_rules_torch.py accounts for."""

import operator
import sys

import numpy as np

from srcgrad.rules.fft_helpers import complex_abs
from srcgrad.rules.helpers import power_base_grad
from srcgrad.rules.jvp_helpers import array_tangent, broadcast_tangent
from srcgrad.runtime import inexact_only, plus, times

_cases = sys.modules["srcgrad_rule_test_cases"]
case, call = _cases.case, _cases.call
REAL, NONZERO = _cases.REAL, _cases.NONZERO
NORMS = (None, "backward", "ortho", "forward")
FFT = np.fft


def carr(d, shape, dom=REAL):
    """A complex array whose real and imaginary parts are drawn from ``dom`` (0-d arrays stay arrays)."""
    return np.asarray(d.values(shape, dom) + 1j * d.values(shape, dom))


def data(d, shape, complex_input: bool):
    return carr(d, shape) if complex_input else d.arr(shape)


# --- one-dimensional transforms ---------------------------------------------------------------------------


def one_d(complex_input: bool):
    """``(a, n, axis, norm)``: ``n`` crops, zero-pads or is left out; a length of 2 at least, so that
    ``irfft``'s default ``n = 2 * (m - 1)`` is positive."""
    def make(d):
        shape = d.shape(1, 3, lo=2, hi=5)
        n = None if d.flag() else d.int(1, 7)
        return call(data(d, shape, complex_input), n, d.int(-len(shape), len(shape) - 1), d.pick(NORMS))
    return make


def t_one_d(name: str):
    def run(T, a, n=None, axis=-1, norm=None):
        return getattr(T.fft, name)(a, n=n, dim=axis, norm=norm)
    return run


for _f, _complex_too in ((FFT.fft, True), (FFT.ifft, True), (FFT.rfft, False), (FFT.ihfft, False),
                         (FFT.irfft, True), (FFT.hfft, True)):
    case(_f, "real", one_d(False), t_one_d(_f.__name__))
    if _complex_too:
        case(_f, "complex", one_d(True), t_one_d(_f.__name__))


# --- n-dimensional transforms -----------------------------------------------------------------------------


def n_d(complex_input: bool, two_d: bool):
    """``(a, s=..., axes=..., norm=...)``: all axes or some, in any order; ``s`` crops or zero-pads (``-1``
    keeps the length). ``axes`` is always given with ``s`` (NumPy 2 deprecates ``s`` without ``axes``); the 2-D
    transforms take their default ``(-2, -1)`` or another pair."""
    def make(d):
        shape = d.shape(2 if two_d else 1, 3, lo=2, hi=4)
        ndim = len(shape)
        a = data(d, shape, complex_input)
        kwargs = {"norm": d.pick(NORMS)}
        if two_d:
            first = d.int(0, ndim - 1)
            second = d.pick([k for k in range(ndim) if k != first])
            axes = d.pick([(-2, -1), (first, second), (first - ndim, second)])
            if axes != (-2, -1) or d.flag():
                kwargs["axes"] = axes
        else:
            chosen = d.data.draw(_cases.st.permutations(range(ndim)))[:d.int(1, ndim)]
            axes = tuple(k - ndim if d.flag() else k for k in chosen)
            if d.flag():
                kwargs["axes"] = axes
        if d.flag():
            kwargs["s"] = tuple(d.int(-1, 5) or 1 for _ in axes) if "axes" in kwargs or two_d else None
            if kwargs["s"] is None:
                del kwargs["s"]
        return call(a, **kwargs)
    return make


def t_n_d(name: str, two_d: bool):
    def run(T, a, s=None, axes=None, norm=None):
        dim = ((-2, -1) if two_d else None) if axes is None else axes
        if s is not None and s[-1] == -1 and name.startswith("irfft"):
            s = (*s[:-1], a.shape[dim[-1]])  # NumPy keeps the input's length; PyTorch takes 2 * (m - 1)
        return getattr(T.fft, name)(a, s=s, dim=dim, norm=norm)
    return run


for _f, _two_d, _complex_too in ((FFT.fftn, False, True), (FFT.ifftn, False, True), (FFT.rfftn, False, False),
                                 (FFT.irfftn, False, True), (FFT.fft2, True, True), (FFT.ifft2, True, True),
                                 (FFT.rfft2, True, False), (FFT.irfft2, True, True)):
    case(_f, "real", n_d(False, _two_d), t_n_d(_f.__name__, _two_d))
    if _complex_too:
        case(_f, "complex", n_d(True, _two_d), t_n_d(_f.__name__, _two_d))


# --- shifts -----------------------------------------------------------------------------------------------


def shifted(complex_input: bool):
    def make(d):
        shape = d.shape(1, 3, lo=1, hi=5)
        return call(data(d, shape, complex_input), d.pick([None, d.int(-len(shape), len(shape) - 1),
                                                           tuple(range(len(shape)))]))
    return make


def t_shift(name: str):
    def run(T, x, axes=None):
        return getattr(T.fft, name)(x, dim=axes)
    return run


for _f in (FFT.fftshift, FFT.ifftshift):
    case(_f, "real", shifted(False), t_shift(_f.__name__))
    case(_f, "complex", shifted(True), t_shift(_f.__name__))


# --- taking complex values apart --------------------------------------------------------------------------


def unary(complex_input: bool, dom=NONZERO):
    def make(d):
        shape = d.shape(1, 2)
        return call(carr(d, shape, dom) if complex_input else d.arr(shape, dom))
    return make


case(np.conjugate, "complex", unary(True, REAL), lambda T, x: T.conj(x))
case(np.conjugate, "real", unary(False, REAL), lambda T, x: T.conj(x) * 1)
case(np.imag, "complex", unary(True, REAL), lambda T, x: T.imag(x))
case(np.imag, "real", unary(False, REAL))  # zero for a real argument, whatever its value
case(np.angle, "complex", unary(True), lambda T, x: T.angle(x))
case(np.angle, "complex-degrees", lambda d: call(carr(d, d.shape(1, 2), NONZERO), True),
     lambda T, z, deg=False: T.angle(z) * (180 / np.pi if deg else 1.0))
case(np.angle, "real", unary(False))  # piecewise constant: 0 or pi
case(complex_abs, "complex", unary(True), lambda T, x: T.abs(x))
case(complex_abs, "real", unary(False), lambda T, x: T.abs(x))
case(np.real, "complex", unary(True, REAL), lambda T, x: T.real(x) * 1)


# --- the rules complex_values.VERIFIED lets see complex operands --------------------------------------------


def binary(denominator=REAL):
    """Two broadcasting operands: complex and complex, or one of them real."""
    def make(d):
        shapes = d.broadcast_shapes(2, scalars=False)
        kinds = d.pick([(True, True), (True, False), (False, True)])
        return call(*(carr(d, s, dom) if c else d.arr(s, dom)
                      for s, c, dom in zip(shapes, kinds, (REAL, denominator))))
    return make


def t_binary(op):
    return lambda T, x, y: op(x, y)


for _f, _op in ((np.add, operator.add), (operator.add, operator.add), (np.subtract, operator.sub),
                (operator.sub, operator.sub), (np.multiply, operator.mul), (operator.mul, operator.mul)):
    case(_f, "complex", binary(), t_binary(_op))
case(np.divide, "complex", binary(NONZERO), t_binary(operator.truediv))
case(operator.truediv, "complex", binary(NONZERO), t_binary(operator.truediv))
for _f in (np.negative, operator.neg):
    case(_f, "complex", unary(True, REAL), lambda T, x: -x)
for _f in (np.positive, operator.pos):
    case(_f, "complex", unary(True, REAL), lambda T, x: x * 1)
case(np.square, "complex", unary(True, REAL), lambda T, x: x * x)
case(np.exp, "complex", unary(True, REAL), lambda T, x: T.exp(x))


# Powers of a complex base for a constant real exponent (the exponent's partial is not checked: srcgrad
# refuses a differentiated exponent of a complex base). Imaginary parts away from zero keep the base off
# the branch cut of the fractional powers.
def complex_power(d):
    shape = d.shape(1, 2)
    return call(d.arr(shape) + 1j * d.arr(shape, NONZERO), d.pick([2, 3, 0.5, -1, 2.5, 0]))


def complex_power_base_grad(d):
    shape = d.shape(1, 2)
    return call(carr(d, shape), d.arr(shape) + 1j * d.arr(shape, NONZERO), d.pick([2, 3, 0.5, -1, 2.5, 0]))


case(np.power, "complex-base", complex_power, lambda T, x, y: T.pow(x, y), check=(0,))
case(operator.pow, "complex-base", complex_power, lambda T, x, y: T.pow(x, y), check=(0,))
case(power_base_grad, "complex", complex_power_base_grad, check=(0, 1))


def matrices(d):
    m, k, n = d.int(1, 3), d.int(1, 3), d.int(1, 3)
    kinds = d.pick([(True, True), (True, False), (False, True)])
    return call(data(d, (m, k), kinds[0]), data(d, (k, n), kinds[1]))


def t_complex(T, a):
    """A tensor made complex (PyTorch's matmul and where take one dtype): a real leaf's gradient is real."""
    return a if a.is_complex() else a.to(T.complex128)


case(np.matmul, "complex", matrices, lambda T, a, b: t_complex(T, a) @ t_complex(T, b))
case(operator.matmul, "complex", matrices, lambda T, a, b: t_complex(T, a) @ t_complex(T, b))
case(np.dot, "complex", matrices, lambda T, a, b: t_complex(T, a) @ t_complex(T, b))
case(np.dot, "complex-nd", lambda d: call(carr(d, (2, 2, 3)), carr(d, (3, 2))), None)


def reduction(d):
    shape = d.shape(1, 3)
    return call(carr(d, shape), d.axis(len(shape)), keepdims=d.flag())


case(np.sum, "complex", reduction, _cases.t_reduce("sum"))
case(np.mean, "complex", reduction, _cases.t_reduce("mean"))


def complex_array(d):
    return call(carr(d, d.shape(1, 3)))


case(np.reshape, "complex", lambda d: call(carr(d, (2, 3)), d.pick([(2, 3, 1), (1, 2, 3)])),
     lambda T, a, s: a.reshape(s))
case(np.ravel, "complex", complex_array, lambda T, a: a.reshape(-1))
case(np.transpose, "complex", complex_array, _cases.t_transpose)
case(np.swapaxes, "complex", lambda d: call(carr(d, (2, 3, 1)), 0, 2), lambda T, a, i, j: T.swapaxes(a, i, j))
case(np.moveaxis, "complex", lambda d: call(carr(d, (2, 3, 4)), 0, -1), lambda T, a, i, j: T.movedim(a, i, j))
case(np.squeeze, "complex", lambda d: call(carr(d, (2, 1, 3))), lambda T, a: T.squeeze(a))
case(np.expand_dims, "complex", lambda d: call(carr(d, (2, 3)), 1), lambda T, a, k: T.unsqueeze(a, k))
case(np.flip, "complex", lambda d: call(carr(d, (2, 3)), d.pick([None, 0, 1])), _cases.t_flip)
case(np.roll, "complex", lambda d: call(carr(d, (4, 3)), d.int(-5, 5), d.pick([None, 0, 1])),
     lambda T, a, k, axis=None: T.roll(a, k, axis))
case(np.copy, "complex", complex_array, lambda T, a: a * 1)
case(np.concatenate, "complex", lambda d: call([carr(d, (2, 3)), d.arr((1, 3))]), _cases.t_concatenate)
case(np.stack, "complex", lambda d: call([d.arr((2, 3)), carr(d, (2, 3))], d.int(-3, 2)),
     lambda T, arrays, axis=0: T.stack(list(arrays), axis))
case(np.asarray, "complex", complex_array, lambda T, a: a * 1)
case(np.asarray, "real-to-complex", lambda d: call(d.arr(d.shape(1, 2)), np.complex128),
     lambda T, a, dtype=None: a.to(T.complex128))
case(np.array, "complex", complex_array, lambda T, a: a * 1)
case(np.where, "complex", lambda d: call(d.rng.random(4) > 0.5, carr(d, (4,)), d.arr((2, 1))),
     lambda T, c, x, y: T.where(c, x, t_complex(T, y)))
case(operator.getitem, "complex-slice", lambda d: call(carr(d, (4, 3)), (slice(1, None), 0)),
     lambda T, a, i: a[i] * 1)
case(operator.getitem, "complex-repeated", lambda d: call(carr(d, (4,)), np.array([0, 2, 0])), None)
case(plus, "complex", binary(), t_binary(operator.add))
case(times, "complex", binary(), t_binary(operator.mul))
case(np.broadcast_to, "complex", lambda d: call(carr(d, (3, 1)), (2, 3, 4)), lambda T, a, s: a.expand(s) * 1)
case(array_tangent, "complex", complex_array)
case(broadcast_tangent, "complex", lambda d: call(carr(d, (3,)), np.zeros((2, 3))))
case(inexact_only, "complex", complex_array)

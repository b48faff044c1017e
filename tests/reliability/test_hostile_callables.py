"""Callables that are not plain ``def`` functions in a file: each is differentiated correctly (checked against
central finite differences) or rejected with a ``SrcgradError`` that names it; never another exception."""

import functools
import linecache
import math

import numpy as np
import pytest
from differential import finite_differences, load
from programs import Tally

import srcgrad
from srcgrad import SrcgradError

X = np.array([0.3, -0.8, 1.2])

MODULE = '''
import functools
import numpy as np

def plain(x):
    return np.sum(np.sin(x) * x)

def logged(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return fn(x) * 2.0
    return wrapper

def bare(fn):
    def wrapper(x):
        return fn(x) + np.sum(x)
    return wrapper

@logged
def decorated_with_wraps(x):
    return np.sum(np.sin(x) * x)

@bare
def decorated_without_wraps(x):
    return np.sum(np.sin(x) * x)

def generator(x):
    yield np.sum(x * x)

async def coroutine(x):
    return np.sum(x * x)

class Model:
    def __init__(self, x):
        self.value = np.sum(x)

class Scaled:
    scale = 3.0

    def loss(self, x):
        return np.sum(x * x) * self.scale

    @staticmethod
    def static(x):
        return np.sum(np.cos(x))

square = lambda x: np.sum(x * x * x)

def weighted(x, w):
    return np.sum(x * w)

def cubic(x):
    return np.sum(np.sin(x) * x * x)
'''


@pytest.fixture(scope="module")
def module():
    _, filename = load(MODULE, name="plain", tag="callables")
    namespace = {"__name__": filename}
    exec(compile(MODULE, filename, "exec"), namespace)
    yield namespace
    linecache.cache.pop(filename, None)


def works_or_rejected(kind: str, fn, x=X, reference=None) -> str:
    """'works' when reverse and forward mode agree with finite differences of ``reference`` (``fn`` itself by
    default), 'rejected' when both raise a SrcgradError naming the function."""
    reference = reference or fn
    outcomes = []
    for mode in ("grad", "jvp"):
        try:
            if mode == "grad":
                g = np.asarray(srcgrad.grad(fn)(x))
                want = finite_differences(reference, [x], 1e-6)[0]
            else:
                t = np.linspace(0.5, 1.5, np.size(x)).reshape(np.shape(x))
                _, g = srcgrad.jvp(fn, (x,), (t,))
                want = np.sum(finite_differences(reference, [x], 1e-6)[0] * t)
            assert np.all(np.isfinite(g)) and np.shape(g) == np.shape(want), (kind, mode, g)
            np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8, err_msg=f"{kind} {mode}")
            outcomes.append("works")
        except SrcgradError as error:
            name = getattr(fn, "__name__", None) or type(fn).__name__
            located = getattr(error, "filename", None) and getattr(error, "lineno", None)  # file:line: says where
            assert name in str(error) or located, (kind, str(error))
            outcomes.append("rejected")
    Tally.callables.add(kind)
    return outcomes[0]


def test_decorated_functions_are_differentiated_as_their_wrappers(module):
    assert works_or_rejected("decorated (functools.wraps)", module["decorated_with_wraps"]) == "works"
    assert works_or_rejected("decorated (no wraps)", module["decorated_without_wraps"]) == "works"


def test_lambda_is_differentiated(module):
    assert works_or_rejected("lambda", module["square"]) == "works"


def test_methods(module):
    model = module["Scaled"]()
    assert works_or_rejected("bound method", model.loss) == "works"
    assert works_or_rejected("staticmethod", module["Scaled"].static) == "works"


@pytest.mark.parametrize("name", ["generator", "coroutine", "Model"])
def test_generators_async_functions_and_classes_are_rejected(module, name):
    assert works_or_rejected(name, module[name]) == "rejected"


def test_functools_partial(module):
    w = np.array([1.0, 2.0, 3.0])
    partial = functools.partial(module["weighted"], w=w)
    assert works_or_rejected("functools.partial", partial) == "works"
    np.testing.assert_array_equal(srcgrad.grad(partial)(X), w)   # d/dx sum(x * w) is w, exactly


def test_builtins():
    assert works_or_rejected("C builtin", len) == "rejected"
    assert works_or_rejected("math builtin", math.sin, x=0.7) == "works"
    with pytest.raises(SrcgradError, match="sin"):  # a non-scalar output of a ufunc: the error names it
        srcgrad.grad(np.sin)(X)
    _, tangent = srcgrad.jvp(np.sin, (X,), (np.ones(3),))
    np.testing.assert_allclose(tangent, np.cos(X))
    Tally.callables.add("NumPy ufunc")


def test_function_from_exec_string_without_source():
    namespace: dict = {"np": np}
    exec("def from_string(x):\n    return np.sum(x * x)\n", namespace)
    fn = namespace["from_string"]
    with pytest.raises(SrcgradError, match="from_string"):
        srcgrad.grad(fn)(X)
    works_or_rejected("exec string", fn)


def test_unsupported_construct_in_an_exec_string_is_not_silently_accepted():
    namespace: dict = {"np": np}
    exec("def hostile(x):\n    try:\n        return np.sum(x)\n    except ValueError:\n        return 0.0\n", namespace)
    with pytest.raises(SrcgradError):
        srcgrad.grad(namespace["hostile"])(X)
    Tally.callables.add("exec string with a rejected construct")


def test_transformations_of_srcgrads_own_functions(module):
    """``grad(f)`` handed to another transformation: forward over reverse is the Hessian; the rest have no
    user source to transform and say what to use instead (they used to fail inside srcgrad's own code)."""
    f = module["cubic"]
    hessian = srcgrad.hessian(f)(X)
    expected = np.diag(2 * np.sin(X) + 4 * X * np.cos(X) - X * X * np.sin(X))
    np.testing.assert_allclose(hessian, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(srcgrad.jacfwd(srcgrad.grad(f))(X), expected, rtol=1e-12, atol=1e-12)
    value, tangent = srcgrad.jvp(srcgrad.grad(f), (X,), (np.ones(3),))
    np.testing.assert_allclose(value, srcgrad.grad(f)(X))
    np.testing.assert_allclose(tangent, expected @ np.ones(3), rtol=1e-12, atol=1e-12)
    for attempt in (lambda: srcgrad.jacrev(srcgrad.grad(f))(X), lambda: srcgrad.vjp(srcgrad.grad(f), X),
                    lambda: srcgrad.grad(srcgrad.value_and_grad(f))(X), lambda: srcgrad.grad(srcgrad.grad(np.sin))(0.5),
                    lambda: srcgrad.jvp(srcgrad.grad(f, argnums=(0,)), (X,), (X,))):
        with pytest.raises(SrcgradError, match="hessian"):
            attempt()
    Tally.callables.add("srcgrad's own grad functions")

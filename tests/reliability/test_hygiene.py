"""Hygiene guarantees the rest of the suite does not already pin down (inputs of ``grad`` on plain arrays,
threads sharing one ``grad`` object, redefinition of a callee and tracebacks of reverse-mode code are tested in
``tests/transform``): pytrees and every transformation leave inputs alone, threads transforming the same
function from scratch agree, a function redefined in the same file at the same lines is re-read, forward-mode
tracebacks name the user's function, nothing is left in the temporary directory, and the memory a 10^7-element
gradient takes is bounded by what its tape needs."""

import copy
import os
import tempfile
import threading
import traceback
import tracemalloc

import numpy as np
import pytest
from differential import finite_differences, load

import srcgrad


def tree_loss(params, x):
    W, b = params["W"], params["layers"][0]
    h = np.tanh(W @ x + b)
    h[0] = h[0] * 2.0  # an element write into a local
    x = x * 1.0
    x += 1.0
    return np.sum(h * h) + np.sum(x * params["layers"][1][0])


def array_loss(x):
    y = x * 1.0
    y[1] = y[0] * y[2]
    return np.sum(np.sin(y) * x)


def _tree():
    r = np.random.default_rng(3)
    return {"W": r.normal(size=(2, 3)), "layers": [r.normal(size=2), (r.normal(size=3),)]}


def _assert_same_tree(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_same_tree(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same_tree(u, v)
    else:
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype and a.flags.writeable == b.flags.writeable


def test_no_transformation_modifies_its_inputs():
    params, x = _tree(), np.array([0.3, -0.5, 0.9])
    params_before, x_before = copy.deepcopy(params), x.copy()
    grads = srcgrad.grad(tree_loss, argnums=(0, 1))(params, x)
    srcgrad.value_and_grad(tree_loss)(params, x)
    out, back = srcgrad.vjp(tree_loss, params, x)
    back(1.0)
    tangent = copy.deepcopy(params)
    srcgrad.jvp(tree_loss, (params, x), (tangent, np.ones(3)))
    _assert_same_tree(params, params_before)
    _assert_same_tree(tangent, params_before)
    np.testing.assert_array_equal(x, x_before)
    # the gradient is a fresh tree: writing into it changes nothing the caller passed
    grads[0]["W"][...] = 7.0
    _assert_same_tree(params, params_before)

    v = np.array([0.4, -0.2, 0.7])
    v_before = v.copy()
    for transform in (srcgrad.hessian(array_loss), srcgrad.jacfwd(array_loss), srcgrad.jacrev(array_loss)):
        transform(v)
    direction = np.ones(3)
    srcgrad.hvp(array_loss, (v,), (direction,))
    np.testing.assert_array_equal(v, v_before)
    np.testing.assert_array_equal(direction, np.ones(3))


def test_shim_backward_leaves_numpy_inputs_alone():
    data = np.array([[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]])
    before = data.copy()
    for make in (srcgrad.tensor, srcgrad.as_tensor):
        t = make(data, dtype=srcgrad.float64)
        t.requires_grad_(True)
        y = (t * 1.0)
        y[0, 1] = t[1, 2] * 3.0
        (y.sin() * t).sum().backward()
        np.testing.assert_array_equal(data, before)
        expected = finite_differences(lambda d: float(np.sum(np.sin(_written(d)) * d)), [data], 1e-6)[0]
        np.testing.assert_allclose(t.grad.numpy(), expected, rtol=1e-6, atol=1e-9)


def _written(d):
    y = d * 1.0
    y[0, 1] = d[1, 2] * 3.0
    return y


def fresh_target(x, w):
    h = x
    for i in range(3):
        h = np.tanh(h * w + i)
    return np.sum(h * h)


def test_eight_threads_transforming_one_function_from_scratch_agree():
    """Each thread builds its own grad and jvp of a function nobody has transformed yet, at once."""
    rng = np.random.default_rng(11)
    inputs = [(rng.normal(size=4), rng.normal(size=4)) for _ in range(8)]
    results: list = [None] * 8
    errors: list = []
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()
            x, w = inputs[i]
            g = srcgrad.grad(fresh_target, argnums=(0, 1))(x, w)
            _, t = srcgrad.jvp(fresh_target, (x, w), (np.ones(4), np.zeros(4)))
            results[i] = (g, t)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for (x, w), (g, t) in zip(inputs, results):
        fd = finite_differences(fresh_target, [x, w], 1e-6)
        np.testing.assert_allclose(g[0], fd[0], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(g[1], fd[1], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(t, np.sum(fd[0]), rtol=1e-6, atol=1e-9)


def test_redefinition_in_the_same_file_at_the_same_lines_is_re_read():
    """A notebook cell run again: same file name, same line numbers, new body."""
    import linecache

    first = "import numpy as np\n\ndef f(x):\n    return np.sum(x * x)\n"
    second = "import numpy as np\n\ndef f(x):\n    return np.sum(x * x * x)\n"
    f, filename = load(first, tag="cell")
    x = np.array([0.5, -1.0, 2.0])
    g = srcgrad.grad(f)
    try:
        np.testing.assert_allclose(g(x), 2 * x)
        linecache.cache[filename] = (len(second), None, second.splitlines(keepends=True), filename)
        namespace: dict = {"__name__": filename}
        exec(compile(second, filename, "exec"), namespace)
        np.testing.assert_allclose(srcgrad.grad(namespace["f"])(x), 3 * x * x)
        _, tangent = srcgrad.jvp(namespace["f"], (x,), (np.ones(3),))
        np.testing.assert_allclose(tangent, np.sum(3 * x * x))
        np.testing.assert_allclose(g(x), 2 * x)  # the old function object still means the old body
    finally:
        linecache.cache.pop(filename, None)


def forward_shape_mismatch(x, W):
    h = np.tanh(x)
    return np.sum(W @ h)


def test_forward_mode_traceback_names_the_users_function():
    with pytest.raises(ValueError) as info:
        srcgrad.jvp(forward_shape_mismatch, (np.ones(3), np.ones((2, 4))), (np.ones(3), np.ones((2, 4))))
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<srcgrad ")]
    assert generated, [f.filename for f in frames]
    assert "forward_shape_mismatch" in generated[-1].filename and __file__ in generated[-1].filename


def test_nothing_is_left_in_the_temporary_directory():
    directory = tempfile.gettempdir()
    before = set(os.listdir(directory))
    source = "import numpy as np\n\ndef f(x, w):\n    y = x * 1.0\n    y[0] = w[1]\n    return np.sum(np.sin(y) * w)\n"
    for i in range(20):
        f, _ = load(source.replace("np.sin", ["np.sin", "np.cos", "np.tanh", "np.exp"][i % 4]), tag="tmp")
        x, w = np.linspace(-1, 1, 3) + i, np.ones(3)
        srcgrad.grad(f, argnums=(0, 1))(x, w)
        srcgrad.jvp(f, (x, w), (w, x))
        srcgrad.hessian(f)(x, w)
        srcgrad.show(f, x, w)
        t = srcgrad.tensor(x, requires_grad=True)
        (t.sin() * t).sum().backward()
    after = set(os.listdir(directory))
    assert after <= before, sorted(after - before)


def sin_product(x):
    y = np.sin(x) * x
    return np.sum(y * y)


def test_gradient_of_ten_million_elements_stays_within_what_the_tape_needs():
    """The reverse code of ``sin_product`` keeps two forward arrays (sin x, y) for the adjoint sweep, and the
    sweep holds the adjoints of y*y, y and sin x, the gradient and up to two temporaries of one expression:
    8 arrays of the input's size at most. The plain forward needs 2 (sin x, then y); the bound fails if a
    transformation copies the input, keeps extra forward values or materializes anything larger."""
    n = 10 ** 7
    x = np.random.default_rng(0).uniform(-1, 1, n)
    srcgrad.grad(sin_product)(x[:8])  # transform outside the measurement
    tracemalloc.start()
    try:
        g = srcgrad.grad(sin_product)(x)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # after the call only the gradient is left: nothing (tape, adjoints) is kept in a cache or a closure
    assert held <= 1.05 * x.nbytes, f"{held / x.nbytes:.2f} x the input's size still held"
    assert g.shape == x.shape and g.dtype == np.float64
    idx = np.array([0, n // 2, n - 1])
    s = np.sin(x[idx])
    np.testing.assert_allclose(g[idx], 2 * s * x[idx] * (np.cos(x[idx]) * x[idx] + s), rtol=1e-12)
    assert peak <= 8.1 * x.nbytes, f"peak {peak / x.nbytes:.2f} x the input's size"

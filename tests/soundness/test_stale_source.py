"""A function whose source file was edited after it was defined: srcgrad reads the text on disk but Python
runs the code compiled at import, so differentiating the text would give the gradient of another function.
srcgrad compiles the text once per code object and compares it with the running code (``StaleSourceError``
when they differ); after ``importlib.reload`` the new function is differentiated. An edit that only moves
the function (a comment or a blank line above it) is either accepted with the right gradient or refused —
never a wrong gradient."""

from __future__ import annotations

import importlib
import itertools
import linecache
import os
import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad
import srcgrad.frontend.parse as parse
from srcgrad import SourceUnavailableError, SrcgradError, StaleSourceError

X = np.array([0.5, -1.25, 2.0])
_NAMES = itertools.count()

MODULE = """\
import functools

import numpy as np


def scaled(x):
    return np.sum(x * 2.0)


def other(x):
    return np.sum(np.sin(x))


def factory(a):
    def closure(x):
        return np.sum(x * a * 2.0)
    return closure


class Model:
    def loss(self, x):
        return np.sum(x * 4.0)


def twice(f):
    @functools.wraps(f)
    def wrapper(x):
        return f(x) * 2.0
    return wrapper


@twice
def decorated(x):
    return np.sum(x * 5.0)


square = lambda x: np.sum(x * 6.0)  # noqa: E731


def with_inner(x):
    scale = lambda v: v * 2.0  # noqa: E731
    return np.sum(scale(x))
"""


class SourceFile:
    """A module written to ``tmp_path`` and imported; ``edit`` rewrites the file on disk (the module keeps
    its code until ``reload``). No bytecode cache is written, and each edit moves the modification time on,
    so a reload always compiles the current text."""

    def __init__(self, tmp_path, monkeypatch, text: str):
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
        monkeypatch.syspath_prepend(str(tmp_path))
        self.name = f"srcgrad_stale_case_{os.getpid()}_{next(_NAMES)}"
        self.path = tmp_path / f"{self.name}.py"
        self.path.write_text(text)
        importlib.invalidate_caches()
        self.module = importlib.import_module(self.name)

    def edit(self, old: str, new: str, count: int = 1, keep_mtime: bool = False) -> None:
        text = self.path.read_text()
        assert old in text
        before = os.stat(self.path)
        self.path.write_text(text.replace(old, new, count))
        if keep_mtime:  # same size and modification time: linecache cannot tell that the file changed
            os.utime(self.path, ns=(before.st_atime_ns, before.st_mtime_ns))
        else:
            os.utime(self.path, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000_000))

    def reload(self) -> types.ModuleType:
        self.module = importlib.reload(self.module)
        return self.module

    def close(self) -> None:
        sys.modules.pop(self.name, None)
        linecache.cache.pop(str(self.path), None)


@pytest.fixture
def source(tmp_path, monkeypatch):
    made = SourceFile(tmp_path, monkeypatch, MODULE)
    yield made
    made.close()


def central_differences(f, x, h=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        out.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def gradient_is_right_or_refused(fn, x=X):
    """The gradient of ``fn`` at ``x`` agrees with central differences of ``fn`` itself (the code Python
    runs), or srcgrad refuses with a SrcgradError: anything else is a silently wrong gradient."""
    try:
        g = srcgrad.grad(fn)(x)
    except SrcgradError:
        return "refused"
    np.testing.assert_allclose(g, central_differences(fn, x), rtol=1e-7, atol=1e-9)
    return "right"


def test_unchanged_file_gives_the_right_gradient(source):
    m = source.module
    for fn, derivative in [(m.scaled, 2.0), (m.factory(1.5), 3.0), (m.Model().loss, 4.0), (m.decorated, 10.0),
                           (m.square, 6.0)]:
        np.testing.assert_allclose(srcgrad.grad(fn)(X), np.full(3, derivative), rtol=1e-12)
        np.testing.assert_allclose(srcgrad.grad(fn)(X), central_differences(fn, X), rtol=1e-7)
    np.testing.assert_allclose(srcgrad.grad(m.other)(X), np.cos(X), rtol=1e-12)


def test_edited_function_is_refused_by_every_entry_point(source):
    source.edit("return np.sum(x * 2.0)", "return np.sum(x * 3.0)")
    scaled = source.module.scaled
    assert scaled(X) == pytest.approx(2.0 * np.sum(X))  # Python still runs the old code
    attempts = [lambda: srcgrad.grad(scaled)(X), lambda: srcgrad.value_and_grad(scaled)(X),
                lambda: srcgrad.vjp(scaled, X), lambda: srcgrad.jvp(scaled, (X,), (np.ones(3),)),
                lambda: srcgrad.hessian(scaled)(X), lambda: srcgrad.hvp(scaled, (X,), (np.ones(3),)),
                lambda: srcgrad.jacfwd(scaled)(X), lambda: srcgrad.jacrev(scaled)(X),
                lambda: srcgrad.derivative(scaled)(0.5)]
    for attempt in attempts:
        with pytest.raises(StaleSourceError) as info:
            attempt()
        message = str(info.value)
        assert isinstance(info.value, SourceUnavailableError)
        assert "scaled" in message and str(source.path) in message and ":6" in message, message
        assert "the file changed after the function was defined" in message, message
        assert "hypothesis" in message, message  # the other way code and text part
        assert "importlib.reload" in message, message


def test_reload_gives_the_gradient_of_the_new_text(source):
    source.edit("return np.sum(x * 2.0)", "return np.sum(x * 3.0)")
    old = source.module.scaled
    with pytest.raises(StaleSourceError):
        srcgrad.grad(old)(X)
    new = source.reload().scaled
    np.testing.assert_allclose(srcgrad.grad(new)(X), np.full(3, 3.0), rtol=0, atol=0)
    _, tangent = srcgrad.jvp(new, (X,), (np.ones(3),))
    assert tangent == pytest.approx(9.0)
    # the function object from before the reload still runs the old code: still refused, never 3.0
    with pytest.raises(StaleSourceError):
        srcgrad.grad(old)(X)
    assert old(X) == pytest.approx(2.0 * np.sum(X))


EDITS = {  # kind: (how to get the function from the module, the edit, the new derivative)
    "closure": (lambda m: m.factory(1.5), ("x * a * 2.0", "x * a * 3.0"), 4.5),
    "method": (lambda m: m.Model().loss, ("x * 4.0", "x * 7.0"), 7.0),
    "decorated": (lambda m: m.decorated, ("x * 5.0", "x * 8.0"), 16.0),  # the wrapper doubles it
    "lambda": (lambda m: m.square, ("x * 6.0", "x * 9.0"), 9.0),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_edits_of_closures_methods_decorated_functions_and_lambdas_are_refused(source, kind):
    get, edit, derivative = EDITS[kind]
    fn = get(source.module)
    source.edit(*edit)
    # (a decorated function: the wrapper's text is unchanged; the function it calls is refused when reached)
    with pytest.raises(StaleSourceError) as info:
        srcgrad.grad(fn)(X)
    assert str(source.path) in str(info.value)
    fresh = get(source.reload())
    np.testing.assert_allclose(srcgrad.grad(fresh)(X), np.full(3, derivative), rtol=1e-12)
    np.testing.assert_allclose(srcgrad.grad(fresh)(X), central_differences(fresh, X), rtol=1e-7)


def test_an_edit_inside_a_nested_lambda_is_refused(source):
    """Only a constant of the lambda's own code object changes: the outer function's bytecode is the same."""
    source.edit("v * 2.0", "v * 3.0")
    with pytest.raises(StaleSourceError, match="with_inner"):
        srcgrad.grad(source.module.with_inner)(X)


def test_an_edit_of_another_function_leaves_this_one_alone(source):
    source.edit("np.sin(x)", "np.cos(x)")   # same number of lines: `scaled` stays where it was
    m = source.module
    np.testing.assert_allclose(srcgrad.grad(m.scaled)(X), np.full(3, 2.0))
    with pytest.raises(StaleSourceError):
        srcgrad.grad(m.other)(X)


@pytest.mark.parametrize("edit", [
    ("import functools\n", "# a comment that moves everything down one line\nimport functools\n"),
    ("import functools\n\n", "import functools\n"),          # everything moves up one line
    ("\n\ndef other", "\n\n\n\n\ndef other"),               # only what follows `scaled` moves
    ("return np.sum(x * 2.0)", "return np.sum(x * 2.0)  # a comment on the line itself"),
])
def test_an_edit_that_only_moves_or_comments_is_right_or_refused(source, edit):
    source.edit(*edit)
    m = source.module
    for fn in (m.scaled, m.other, m.factory(1.5), m.Model().loss, m.decorated, m.square):
        gradient_is_right_or_refused(fn)


def test_a_comment_on_the_functions_own_line_is_accepted(source):
    source.edit("return np.sum(x * 2.0)", "return np.sum(x * 2.0)  # a comment on the line itself")
    assert gradient_is_right_or_refused(source.module.scaled) == "right"


def test_moved_function_is_right_or_refused_in_every_mode(source):
    source.edit("import functools\n", "# moved\nimport functools\n")
    scaled = source.module.scaled
    for attempt, want in [(lambda: srcgrad.grad(scaled)(X), np.full(3, 2.0)),
                          (lambda: srcgrad.jvp(scaled, (X,), (np.ones(3),))[1], 6.0),
                          (lambda: srcgrad.vjp(scaled, X)[1](1.0)[0], np.full(3, 2.0)),
                          (lambda: srcgrad.hessian(scaled)(X), np.zeros((3, 3)))]:
        try:
            got = attempt()
        except SrcgradError:
            continue
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_a_gradient_built_before_the_edit_stays_right(source):
    scaled = source.module.scaled
    g = srcgrad.grad(scaled)
    np.testing.assert_allclose(g(X), np.full(3, 2.0))
    source.edit("return np.sum(x * 2.0)", "return np.sum(x * 3.0)")
    np.testing.assert_allclose(g(X), np.full(3, 2.0))   # the cached code
    # A new argument signature is transformed anew, from the text checked when the function was first
    # transformed (not the edited file): still the gradient of the code that runs.
    np.testing.assert_allclose(g(np.ones(5)), np.full(5, 2.0))
    np.testing.assert_allclose(g(np.float32(1.0)), 2.0)


def test_stale_linecache_is_re_read_after_a_reload(source):
    scaled = source.module.scaled
    np.testing.assert_allclose(srcgrad.grad(scaled)(X), np.full(3, 2.0))    # linecache now holds the old text
    # the same size and modification time: linecache.checkcache cannot see the change
    source.edit("return np.sum(x * 2.0)", "return np.sum(x * 3.0)", keep_mtime=True)
    new = source.reload().scaled
    np.testing.assert_allclose(srcgrad.grad(new)(X), np.full(3, 3.0))


def test_each_code_object_is_checked_once(source, monkeypatch):
    calls = []
    original = parse.source_matches_code
    monkeypatch.setattr(parse, "source_matches_code", lambda lines, code, *rest: calls.append(code)
                        or original(lines, code, *rest))
    other = source.module.other
    srcgrad.grad(other)(X)
    srcgrad.grad(other)(np.ones(4))
    srcgrad.jvp(other, (X,), (np.ones(3),))
    srcgrad.value_and_grad(other)(np.ones((2, 2)))
    assert calls.count(other.__code__) == 1


def test_exec_string_registered_in_linecache_and_then_changed():
    filename = f"<srcgrad stale exec case {next(_NAMES)}>"
    text = "import numpy as np\n\ndef f(x):\n    return np.sum(x * 2.0)\n"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    try:
        namespace: dict = {}
        exec(compile(text, filename, "exec"), namespace)
        f = namespace["f"]
        np.testing.assert_allclose(srcgrad.grad(f)(X), np.full(3, 2.0))
        changed = text.replace("2.0", "3.0")
        linecache.cache[filename] = (len(changed), None, changed.splitlines(True), filename)
        namespace2: dict = {}
        exec(compile(text, filename, "exec"), namespace2)   # a new function object of the old text
        with pytest.raises(StaleSourceError):
            srcgrad.grad(namespace2["f"])(X)
        exec(compile(changed, filename, "exec"), namespace2)
        np.testing.assert_allclose(srcgrad.grad(namespace2["f"])(X), np.full(3, 3.0))
    finally:
        linecache.cache.pop(filename, None)


def test_notebook_cells_registered_in_linecache_are_accepted():
    """Cells run like exec strings under their own names (IPython registers each in linecache); the import
    of ``np`` in another cell compiles ``np.sin`` differently from an import in the same cell."""
    namespace: dict = {}
    names = [f"<ipython-input-{next(_NAMES)}-5f3a>" for _ in range(3)]
    cells = ["import numpy as np\n", "def f(x):\n    return np.sum(np.sin(x))\n",
             "import numpy as np\n\ndef g(x):\n    return np.sum(np.cos(x))\n"]
    try:
        for name, text in zip(names, cells):
            linecache.cache[name] = (len(text), None, text.splitlines(True), name)
            exec(compile(text, name, "exec"), namespace)
        np.testing.assert_allclose(srcgrad.grad(namespace["f"])(X), np.cos(X), rtol=1e-12)
        np.testing.assert_allclose(srcgrad.grad(namespace["g"])(X), -np.sin(X), rtol=1e-12)
    finally:
        for name in names:
            linecache.cache.pop(name, None)


@settings(max_examples=3)
@given(a=st.floats(-2.0, 2.0))
def test_functions_defined_inside_a_hypothesis_test_are_accepted(a):
    def f(x):
        return np.sum(np.sin(x) * a)

    np.testing.assert_allclose(srcgrad.grad(f)(X), central_differences(f, X), rtol=1e-7, atol=1e-9)


@settings(max_examples=2)
@given(y=st.floats(-2.0, 2.0))
def given_wrapper(x, y):
    return x * y


def test_the_wrapper_hypothesis_builds_is_refused():
    """``@given`` runs code it generated, pointed at this file's text: differentiating that text would give
    the gradient of another function."""
    with pytest.raises(StaleSourceError, match="hypothesis"):
        srcgrad.grad(given_wrapper)(1.5)


# --- what must keep working: the text really is the code ------------------------------------------------


def with_assert(x):
    assert x.ndim == 1, "a vector"     # pytest rewrites this module's asserts
    return np.sum(x * x)


class Base:
    def value(self, x):
        return np.sum(x * x)


class Derived(Base):
    def value(self, x):
        return super().value(x) * 2.0


class Private:
    __weight = 2.0

    def value(self, x):
        return np.sum(x * self.__weight)  # compiled as self._Private__weight


def make_nested(a):
    def level1(b):
        def level2(x):
            return np.sum(x * a * b)
        return level2
    return level1(3.0)


cube = lambda x: np.sum(x ** 3)


@pytest.mark.parametrize("fn, expected", [
    (with_assert, lambda x: 2 * x),
    (Derived().value, lambda x: 4 * x),
    (make_nested(2.0), lambda x: np.full_like(x, 6.0)),
    (cube, lambda x: 3 * x ** 2),
], ids=["pytest-rewritten assert", "method calling super()", "nested closures", "lambda"])
def test_functions_whose_text_is_their_code_are_accepted(fn, expected):
    np.testing.assert_allclose(srcgrad.grad(fn)(X), expected(X), rtol=1e-12)


def test_the_check_reproduces_name_mangling_super_closures_and_lambdas_in_expressions(source):
    def outer(a):
        scale = lambda x: x * a
        pair = (lambda u, v: u * v, lambda w: w * a)
        twice = lambda b: lambda z: z * b
        key = sorted(
            [1.0, 2.0],
            key=lambda k: k * a,
        )
        return scale, pair[1], twice(2.0), key

    def closure_over_super(self):
        def inner(x):
            return super(Derived, self).value(x)
        return inner

    m = source.module  # a functools.wraps decorator, the wrapper and the function it wraps
    functions = [with_assert, Derived.value, Private.value, make_nested(2.0), m.decorated, m.decorated.__wrapped__,
                 m.with_inner, cube, closure_over_super(Derived()), *outer(1.5)[:3]]
    for fn in functions:
        lines, start, filename = parse.verified_source(fn)
        assert parse.source_matches_code(lines, fn.__code__) is True, fn.__qualname__
    key_lambda = next(c for c in outer.__code__.co_consts if isinstance(c, types.CodeType)
                      and "k" in c.co_varnames)
    assert parse.source_matches_code(parse.inspect.getsourcelines(key_lambda)[0], key_lambda) is True

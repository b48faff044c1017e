"""Every construct the checker rejects, alone and nested inside supported ones, must raise a ``SrcgradError``
that names the generated file and the construct's line: never another exception, never a result. Reverse mode
and forward mode both read the source, so both are checked."""

import itertools
import linecache

import numpy as np
import pytest
from hostile import CALLEE_DEPTHS, REJECTED, WRAPPERS, Hostile, build
from hypothesis import given, settings
from hypothesis import strategies as st
from programs import Tally

import srcgrad
from srcgrad import SrcgradError

X = np.array([0.3, -0.8, 1.2])


def _located(error: SrcgradError, filename: str, line: int, case: Hostile) -> None:
    where = f"{case.construct} {case.context}\n{case.source}"
    assert getattr(error, "filename", None) == filename, f"{error}\n{where}"
    assert error.lineno == line, f"line {error.lineno}, expected {line}: {error}\n{where}"
    assert str(error).startswith(f"{filename}:{line}:"), f"{error}\n{where}"


def check_rejected(case: Hostile, count: int) -> None:
    filename = f"<srcgrad-hostile-{count}>"
    linecache.cache[filename] = (len(case.source), None, case.source.splitlines(keepends=True), filename)
    try:
        namespace: dict = {"__name__": filename}
        exec(compile(case.source, filename, "exec"), namespace)
        f = namespace["f"]
        for attempt in (lambda: srcgrad.grad(f)(X), lambda: srcgrad.jvp(f, (X,), (np.ones(3),))):
            try:
                result = attempt()
            except SrcgradError as error:
                _located(error, filename, case.line, case)
            else:
                pytest.fail(f"no error, result {result!r}: {case.construct} {case.context}\n{case.source}")
    finally:
        linecache.cache.pop(filename, None)
    Tally.hostile += 1
    Tally.hostile_constructs.add(case.construct)
    Tally.hostile_contexts.add(case.context)


_COUNT = itertools.count()
CONTEXTS = [[]] + [[w] for w in WRAPPERS] + [["for", "if"], ["while", "else"]]


@pytest.mark.parametrize("construct", REJECTED, ids=lambda c: c.name)
def test_rejected_construct_alone_and_nested(construct):
    for wrappers, depth in itertools.product(CONTEXTS, CALLEE_DEPTHS):
        check_rejected(build(construct, wrappers, depth), next(_COUNT))


@settings(max_examples=150)
@given(st.sampled_from(REJECTED), st.lists(st.sampled_from(sorted(WRAPPERS)), max_size=4),
       st.sampled_from(CALLEE_DEPTHS))
def test_rejected_construct_randomly_nested(construct, wrappers, depth):
    check_rejected(build(construct, wrappers, depth), next(_COUNT))

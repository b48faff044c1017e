"""One record per primitive: every record yields what it should, from the one declaration.

For each record of the rule table (``srcgrad.rules.registry.Primitive``): a forward rule per differentiable
argument of its reverse rule; the method form where ``np.ndarray`` has a method of the primal's name,
differentiated like the function; the ``Tensor`` shim's operation where PyTorch has the op, recording
PyTorch's node and computing the record's reverse rule; and its row in docs/rules.md. Derived rules
(``derive.elementwise``, ``derive.linear``) are checked for the code they generate and, for a
declaration made here, against central differences in both modes.
"""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad.frontend.array_methods import ARRAY_ATTRIBUTES, ARRAY_METHODS, adapter_for
from srcgrad.rules import registry
from srcgrad.rules.derive import elementwise, linear
from srcgrad.rules.registry import RESULT, SELF, TorchOp, jvp_rules, registered_primitives, vjp_rule
from srcgrad.tensor import pointwise
from srcgrad.transform.inline import template_of

ROOT = Path(__file__).resolve().parents[2]
RECORDS = [r for r in registered_primitives() if r.reverse is not None and
           r.reverse.function.__module__.startswith("srcgrad.")]
# Forward mode calls the user's functions through call_with_jvp, never through these.
NO_FORWARD = {"srcgrad.runtime.call_with_vjp", "srcgrad.function_values.call_value_with_vjp",
              "srcgrad.function_values.call_value_holding"}


def _ids(records):
    return [r.name for r in records]


@pytest.mark.parametrize("record", RECORDS, ids=_ids(RECORDS))
def test_a_forward_rule_for_every_differentiable_argument(record):
    if record.name in NO_FORWARD:
        assert not record.forward
        return
    wanted = {"*"} if record.reverse.argnums == "*" else set(record.reverse.argnums)
    assert set(record.forward) == wanted


DERIVED = [r for r in RECORDS if r.derivation != "written"]


def test_most_ufuncs_of_one_argument_are_derived():
    """The declarations are the unit: the common elementwise and linear functions are declared once."""
    kinds = {r.name.rsplit(".", 1)[-1]: r.derivation for r in DERIVED}
    for name in ("sin", "cos", "exp", "log", "tanh", "sqrt", "arctan", "reciprocal", "negative"):
        assert kinds[name] == "elementwise", name
    for name in ("flip", "transpose", "take", "squeeze", "moveaxis", "roll", "tile", "diagonal"):
        assert kinds[name] == "linear", name
    assert len(DERIVED) >= 60


@pytest.mark.parametrize("record", DERIVED, ids=_ids(DERIVED))
def test_derived_rules_have_source_and_are_inlined(record):
    """A derived rule is a function with readable source, inlined by the transformer as a written one."""
    rules = [record.reverse, *record.forward.values()]
    for rule in rules:
        source = inspect.getsource(rule.function)
        assert "\ndef " in "\n" + source and "return" in source
        assert template_of(rule) is not None
    assert Path(record.declared_in).name.endswith("_rules.py")


def test_derived_rules_read_as_written():
    assert inspect.getsource(vjp_rule(np.log1p).function) == "def log1p_vjp(g, ans, x):\n    return g / (1 + x)\n"
    assert "return -g * np.sin(x)" in inspect.getsource(vjp_rule(np.cos).function)
    assert "return g * (np.pi / 180)" in inspect.getsource(vjp_rule(np.deg2rad).function)
    assert "return array_tangent(t) * ans" in inspect.getsource(jvp_rules(np.exp)[0].function)
    assert "return np.flip(array_tangent(t), axis)" in inspect.getsource(jvp_rules(np.flip)[0].function)


# --- the method form ---------------------------------------------------------------------------------------------

# Methods whose arguments do not line up with the same-named function's (x.compress(c) is np.compress(c, x)).
MISALIGNED = {"compress", "choose", "put", "resize", "partition", "sort", "fill", "itemset", "setfield",
              "byteswap", "view", "getfield", "tobytes", "tofile", "tolist", "dump", "dumps", "item"}


def _numpy_named(record):
    name = getattr(record.primal, "__name__", None)
    if name and getattr(np, name, None) is record.primal and hasattr(np.ndarray, name):
        return name
    return None


METHOD_RECORDS = [r for r in RECORDS if _numpy_named(r) and _numpy_named(r) not in MISALIGNED]


@pytest.mark.parametrize("record", METHOD_RECORDS, ids=_ids(METHOD_RECORDS))
def test_the_method_form_lowers_to_the_record(record):
    name = _numpy_named(record)
    if inspect.isgetsetdescriptor(getattr(np.ndarray, name)):  # x.real, x.imag
        assert ARRAY_ATTRIBUTES[name] is record.primal
        return
    if adapter_for(getattr(np.ndarray, name), record.primal) is None and name not in ARRAY_METHODS:
        pytest.skip(f"x.{name}(...) takes its arguments otherwise than np.{name}")
    assert ARRAY_METHODS[name][0] is record.primal


def _module(tmp_path, source: str):
    path = tmp_path / f"methods_{abs(hash(source))}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _central(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


NO_ARGUMENT_METHODS = sorted(name for name in ARRAY_METHODS
                             if name in {_numpy_named(r) for r in METHOD_RECORDS} and
                             name not in {"repeat", "take", "swapaxes", "clip", "reshape", "choose", "dot"})


@pytest.mark.parametrize("name", NO_ARGUMENT_METHODS)
def test_the_method_form_differentiates_as_the_function(name, tmp_path):
    x = np.array([[0.9, 0.2, 0.35], [0.4, 0.75, 0.15], [0.3, 0.6, 0.8]])
    try:
        getattr(np, name)(x)
    except TypeError:
        pytest.skip(f"np.{name} needs more than the array")
    module = _module(tmp_path, f"""
        import numpy as np

        def by_method(x):
            return np.sum(np.sin(x.{name}()) * 1.5)

        def by_function(x):
            return np.sum(np.sin(np.{name}(x)) * 1.5)
        """)
    by_method = srcgrad.grad(module.by_method)(x)
    by_function = srcgrad.grad(module.by_function)(x)
    assert by_method.shape == x.shape and by_method.dtype == np.float64
    np.testing.assert_array_equal(by_method, by_function)
    expected = _central(module.by_function, x)
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(by_method, expected, rtol=1e-5, atol=1e-7)


# --- the shim's operation ----------------------------------------------------------------------------------------

SHIM = [r for r in RECORDS if r.torch is not None]
# PyTorch has these, but records them otherwise: torch.positive returns its input itself, and torch.square
# is recorded as a power (PowBackward0).
SHIM_ELSEWHERE = {"positive", "square"}


def test_every_elementwise_function_pytorch_has_is_a_shim_operation():
    torch = pytest.importorskip("torch")
    for record in RECORDS:
        name = record.name.rsplit(".", 1)[-1]
        one_argument = record.reverse.argnums == (0,)
        if record.derivation == "elementwise" and one_argument and hasattr(torch, name):
            assert record.torch is not None or name in SHIM_ELSEWHERE, name


@pytest.mark.parametrize("record", SHIM, ids=_ids(SHIM))
def test_the_shim_operation_applies_the_record(record):
    x = np.array([0.3, 0.55, 0.8])
    for name in record.torch.names:
        tensor = srcgrad.tensor(x, requires_grad=True)
        out = getattr(tensor, name)()
        assert type(out.grad_fn).__name__ == record.torch.node
        out.backward(srcgrad.tensor(np.ones(3)))
        expected = record.reverse.function(np.ones(3), record.primal(x), x)
        np.testing.assert_allclose(tensor.grad.numpy(), expected, rtol=1e-12)
        assert getattr(srcgrad, name) is not None and pointwise.UNARY[name] is getattr(srcgrad.Tensor, name)
        np.testing.assert_allclose(getattr(srcgrad, name)(srcgrad.tensor(x)).numpy(), record.primal(x))


@pytest.mark.parametrize("record", SHIM, ids=_ids(SHIM))
def test_the_shim_operation_matches_pytorch(record):
    torch = pytest.importorskip("torch")
    x = np.array([0.3, 0.55, 0.8])
    ours = srcgrad.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    for name in record.torch.names:
        ours.grad = theirs.grad = None
        mine, reference = getattr(ours, name)(), getattr(theirs, name)()
        assert type(mine.grad_fn).__name__ == reference.grad_fn.name()
        saved = {SELF: "_saved_self", RESULT: "_saved_result"}.get(record.torch.saves)
        saved_by_torch = {a for a in dir(reference.grad_fn) if a in ("_saved_self", "_saved_result")}
        assert saved_by_torch == ({saved} if saved else set())
        mine.sum().backward()
        reference.sum().backward()
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-15)
        integers = getattr(srcgrad, name)(srcgrad.tensor([1, 2]))
        assert str(integers.dtype) == str(getattr(torch, name)(torch.tensor([1, 2])).dtype)


# --- the docs row ------------------------------------------------------------------------------------------------


def test_the_docs_table_is_generated_from_the_records():
    spec = importlib.util.spec_from_file_location("generate_rules_doc", ROOT / "scripts" / "generate_rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.render()
    for record in RECORDS:
        if record.name in module.VERSION_DEPENDENT:
            assert f"`{record.name}` ({module.VERSION_DEPENDENT[record.name]})" in text
            continue
        row = next(line for line in text.splitlines() if line.startswith(f"| `{record.name}` |"))
        assert ("derived (" + record.derivation + ")" in row) == (record.derivation != "written")
        if record.torch is not None:
            assert f"(`{record.torch.node}`)" in row
    committed = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_rules_doc.py"), "--check"],
                               capture_output=True, text=True)
    assert committed.returncode == 0, committed.stdout[-2000:]


# --- a declaration of one's own ------------------------------------------------------------------------------------


def softplus(x):
    return np.logaddexp(0.0, x)


def scaled_shift(x, k):
    return np.roll(x, k) * 2.0


def softplus_loss(x):
    return np.sum(softplus(x * x) + scaled_shift(x, 1) * x)


@pytest.fixture
def declared():
    saved = registry.snapshot()
    elementwise(softplus, torch=TorchOp(("softplus_",), "SoftplusBackward0", SELF))(_softplus_slope)
    linear(scaled_shift)(_scaled_shift_rule)
    yield
    registry.restore(saved)


def _softplus_slope(ans, x):
    return 1 / (1 + np.exp(-x))


def _scaled_shift_rule(g, ans, x, k):
    return np.roll(g, -k) * 2.0


def test_a_declared_elementwise_and_linear_primitive_in_both_modes(declared):
    x = np.array([0.4, -1.2, 2.0, 0.1])
    grad = srcgrad.grad(softplus_loss)(x)
    expected = _central(softplus_loss, x)
    np.testing.assert_allclose(grad, expected, rtol=1e-6)
    assert "softplus_vjp" not in srcgrad.show(softplus_loss, x)  # inlined, not called
    for direction in np.eye(4):
        _, tangent = srcgrad.jvp(softplus_loss, (x,), (direction,))
        np.testing.assert_allclose(tangent, expected @ direction, rtol=1e-6)
    assert registry.record_of(softplus).derivation == "elementwise"
    assert registry.record_of(scaled_shift).derivation == "linear"


def test_a_factor_per_argument_and_its_errors(declared):
    def two(x, y):
        return x * np.exp(y)

    def _two(ans, x, y):
        return np.exp(y), ans

    elementwise(two, argnums=(0, 1))(_two)
    source = inspect.getsource(registry.vjp_rule(two).function)
    assert "unbroadcast(g * np.exp(y), x), unbroadcast(g * ans, y)" in source

    def _one(ans, x, y):
        return np.exp(y)

    with pytest.raises(TypeError, match="one factor per differentiable argument"):
        elementwise(two, argnums=(0, 1))(_one)

    def _starred(ans, *xs):
        return 1

    with pytest.raises(TypeError, match="names every parameter"):
        elementwise(two)(_starred)

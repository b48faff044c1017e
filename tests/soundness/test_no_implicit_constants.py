"""Default deny, over all of NumPy: every public NumPy function or ufunc that the rule table neither
differentiates nor declares non-differentiable is refused with a located ``MissingRuleError`` when it
receives a differentiated value — never treated as a constant. Each function is called the way a user would,
in a generated module, so the check goes through the whole front end."""

from __future__ import annotations

import importlib.util
import sys
import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad.rules.registry import is_nondifferentiable, vjp_rule


def _undescribed_numpy_functions() -> list[str]:
    names = []
    spaces = {"": np, "linalg.": np.linalg, "fft.": np.fft}
    for prefix, space in spaces.items():
        names += [prefix + name for name in sorted(dir(space)) if not name.startswith("_")
                  and _undescribed(getattr(space, name))]
    return names


def _undescribed(obj) -> bool:
    if not (isinstance(obj, np.ufunc) or type(obj).__name__ in ("function", "_ArrayFunctionDispatcher",
                                                                 "builtin_function_or_method")):
        return False
    return vjp_rule(obj) is None and not is_nondifferentiable(obj)


NAMES = _undescribed_numpy_functions()


def _ident(name: str) -> str:
    return name.replace(".", "_")


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("deny") / "calls_every_numpy_function.py"
    lines = ["import numpy as np", ""]
    for name in NAMES:
        lines += [f"def call_{_ident(name)}(x):", f"    return np.sum(np.{name}(x * 1.0))", "",
                  f"def call2_{_ident(name)}(x):", f"    return np.sum(np.{name}(x * 1.0, x * 2.0))", ""]
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = loaded
    spec.loader.exec_module(loaded)
    yield loaded, str(path)
    del sys.modules[path.stem]


def test_there_are_undescribed_functions_to_check():
    assert len(NAMES) > 50


@pytest.mark.parametrize("name", NAMES)
def test_an_undescribed_numpy_function_of_a_differentiated_value_is_refused(module, name):
    loaded, path = module
    x = np.array([0.3, 0.7, 1.2])
    for f in (getattr(loaded, f"call_{_ident(name)}"), getattr(loaded, f"call2_{_ident(name)}")):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                float(f(x.copy()))
            break
        except Exception:
            continue
    else:
        pytest.skip(f"np.{name} takes neither one nor two float vectors")
    with pytest.raises(srcgrad.MissingRuleError) as raised:
        srcgrad.grad(f)(x.copy())
    assert raised.value.filename == path
    assert raised.value.lineno == f.__code__.co_firstlineno + 1

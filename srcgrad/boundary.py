"""The boundary between the user and generated code: what a differentiated function accepts (floats,
floating-point arrays, dicts/lists/tuples of them) and may return (real numbers; for vjp and jvp, trees of
them), what tangents and cotangents look like (their primal's or the output's structure), and how gradients
are handed back (the input's type, dtype, shape and structure, as arrays the caller owns and may write to;
gradients of Dask or CuPy inputs stay in their library)."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import inspect
import linecache
import numbers
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .errors import InputTypeError, OutputTypeError
from .rules.dispatch import is_foreign
from .rules.helpers import shape_of


def _is_float(value: Any) -> bool:
    """The common cases, decided without more ado: a Python float, a floating-point NumPy array."""
    return type(value) is float or (type(value) is np.ndarray and value.dtype.kind == "f")


def _leaves(value: Any, skip: Callable[[Any], bool], keys: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """``(keys, leaf)`` for every leaf of a dict/list/tuple tree (nested) that ``skip`` does not pass over;
    ``keys`` lead from ``value`` to the leaf (empty for a value that is not a container). A namedtuple is a
    container too, and so is a dataclass instance, whose keys are its fields' names (``None`` and strings in
    it are settings, not leaves: they get no gradient and are handed back as they are)."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    elif is_dataclass_instance(value):
        items = [(name, item) for name, item in fields_of(value).items() if not is_setting(item)]
    else:
        if not skip(value):
            yield keys, value
        return
    for key, item in items:
        if not skip(item):  # the common leaves (floats, float arrays) are passed over without a nested generator
            yield from _leaves(item, skip, (*keys, key))


def is_dataclass_instance(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def fields_of(record: Any) -> dict[str, Any]:
    """A dataclass instance's fields by name."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def is_setting(value: Any) -> bool:
    """A field of a dataclass input that is no leaf: ``None`` or a string (an activation's name, say)."""
    return value is None or isinstance(value, str)


def _path(keys: tuple) -> str:
    """``['w'][1]``: where a leaf is, for error messages."""
    return "".join(f"[{key!r}]" for key in keys)


def _kind_of(value: Any) -> str | None:
    """The NumPy dtype kind of an array or NumPy scalar (also Dask and CuPy), ``None`` for other objects."""
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return None
    return getattr(dtype, "kind", None) or np.dtype(dtype).kind


def _is_complex(value: Any, kind: str | None) -> bool:
    return kind == "c" or (kind is None and isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real))


def check_input(value: Any, position: int, fn_name: str) -> None:
    """Raise ``InputTypeError`` unless ``value`` is a real float (a Python float, a NumPy floating scalar), a
    real floating-point array (float16/32/64, also of Dask or CuPy), or a dict/list/tuple of them (nested).

    Refused, each with what to do instead: integers and booleans (their gradient is not defined), complex
    numbers and arrays (srcgrad does not differentiate complex functions), ``np.ma.MaskedArray`` (the mask
    would be ignored: masked entries would get gradients), ``np.matrix`` (``*`` means matmul there), object
    and string arrays, strings and any other object. A refused leaf of a container is named by its path
    (``argument 0['w'][1]``)."""
    if _is_float(value):
        return   # the common case, without walking a tree
    for keys, leaf in _leaves(value, _is_float):
        _check_input_leaf(leaf, f"argument {position}{_path(keys)}", fn_name)


def _check_input_leaf(value: Any, where: str, fn_name: str) -> None:
    _refuse_special(value, where, fn_name)
    kind = _kind_of(value)
    if kind == "f":
        return
    if _is_complex(value, kind):
        raise InputTypeError(_complex_message(value, where, fn_name))
    if kind is not None:
        if kind in "US":
            raise InputTypeError(f"{fn_name}: {where} is a string array (dtype {value.dtype}); srcgrad "
                                 "differentiates with respect to floats and floating-point NumPy arrays: convert "
                                 "it, e.g. x.astype(np.float64), or leave it out of argnums.")
        raise InputTypeError(
            f"{fn_name}: {where} has dtype {value.dtype}; gradients are only defined for floating-point "
            "inputs. Cast it first, e.g. x.astype(np.float64).")
    if isinstance(value, (bool, numbers.Integral)):
        raise InputTypeError(
            f"{fn_name}: {where} is the integer {value!r}; gradients are only defined for "
            f"floating-point inputs. Pass {float(value)!r} instead.")
    if not isinstance(value, numbers.Real):
        raise InputTypeError(f"{fn_name}: {where} is a {type(value).__name__}; srcgrad differentiates "
                             "with respect to floats and floating-point NumPy arrays (and dicts, lists, tuples, "
                             "namedtuples and dataclasses of them): pass one of those, or leave this argument out "
                             "of argnums.")


def _refuse_special(value: Any, where: str, fn_name: str) -> None:
    """NumPy array subclasses whose arithmetic differs from ``ndarray``'s: the rules assume ``ndarray``."""
    if isinstance(value, np.ma.MaskedArray):
        raise InputTypeError(
            f"{fn_name}: {where} is a numpy.ma.MaskedArray; srcgrad ignores the mask, so the masked "
            "entries would silently get gradients. Pass plain data (x.filled(0.0) or np.asarray(x)) and apply "
            "the mask inside the function, e.g. np.where(mask, x, 0.0) with the mask as another argument.")
    if isinstance(value, np.matrix):
        raise InputTypeError(
            f"{fn_name}: {where} is a numpy.matrix, where * means matrix multiplication; srcgrad's "
            "rules assume ndarray semantics. Pass np.asarray(x) (and write x @ y for a matrix product).")


def _complex_message(value: Any, where: str, fn_name: str) -> str:
    dtype = getattr(value, "dtype", None)
    what = f"complex (dtype {dtype})" if dtype is not None else f"the complex number {value!r}"
    return (f"{fn_name}: {where} is {what}; srcgrad does not differentiate with respect to complex "
            "inputs (complex differentiation is not supported). Pass the real and imaginary parts as two real "
            "arrays, e.g. f(z.real, z.imag), and form the complex value inside the function if you need it.")


def check_tangent(value: Any, where: str, fn_name: str) -> None:
    """A tangent of ``jvp``/``hvp`` or a cotangent of ``vjp``: like ``check_input``, but integers and booleans
    are accepted, and ``None`` (where the output is ``None``; ``check_same_structure`` says where it may not be);
    complex numbers, masked arrays, ``np.matrix``, strings and object arrays are refused, since the derivative
    they would produce is not srcgrad's to give."""
    if _is_plain_tangent(value):
        return
    for keys, leaf in _leaves(value, _is_plain_tangent):
        _refuse_special(leaf, where + _path(keys), fn_name)
        kind = _kind_of(leaf)
        if _is_complex(leaf, kind):
            raise InputTypeError(_complex_message(leaf, where + _path(keys), fn_name))
        if (kind is not None and kind not in "fiub") or (kind is None and not isinstance(leaf, numbers.Real)):
            raise InputTypeError(f"{fn_name}: {where}{_path(keys)} is a {type(leaf).__name__}"
                                 + (f" of dtype {leaf.dtype}" if kind is not None else "")
                                 + "; tangents and cotangents are floats and floating-point arrays.")


def _is_plain_tangent(value: Any) -> bool:
    return value is None or type(value) is float or (type(value) is np.ndarray and value.dtype.kind in "fiub")


def check_same_structure(like: Any, value: Any, where: str, of: str, fn_name: str, what: str) -> None:
    """Raise ``ValueError`` unless ``value`` (``where``: a tangent, or the cotangent) is shaped like ``like``
    (``of``: its primal, or the output): containers of the same kind, length and keys, leaves of the same
    shape, and ``None`` only where ``like`` has ``None``."""
    if type(like) is np.ndarray and type(value) is np.ndarray and like.shape == value.shape:
        return   # the common case, without the container checks
    if is_dataclass_instance(like):
        if type(value) is not type(like):
            raise ValueError(f"{what} of {fn_name}: {where} must be a {type(like).__name__} like {of}, not "
                             f"{_describe_container(value)}")
        for key, item in fields_of(like).items():
            if not is_setting(item):
                check_same_structure(item, getattr(value, key), f"{where}.{key}", f"{of}.{key}", fn_name, what)
    elif isinstance(like, dict):
        if not isinstance(value, dict) or list(value) != list(like):
            raise ValueError(f"{what} of {fn_name}: {where} must be a dict with the keys {list(like)} of {of}, "
                             f"not {_describe_container(value)}")
        for key in like:
            check_same_structure(like[key], value[key], f"{where}[{key!r}]", f"{of}[{key!r}]", fn_name, what)
    elif isinstance(like, (list, tuple)):
        if type(value) is not type(like) or len(value) != len(like):
            raise ValueError(f"{what} of {fn_name}: {where} must be a {type(like).__name__} of length {len(like)} "
                             f"like {of}, not {_describe_container(value)}")
        for i, (p, t) in enumerate(zip(like, value)):
            check_same_structure(p, t, f"{where}[{i}]", f"{of}[{i}]", fn_name, what)
    elif isinstance(value, (dict, list, tuple)):
        raise ValueError(f"{what} of {fn_name}: {where} is a {type(value).__name__}, but {of} is a "
                         f"{type(like).__name__}")
    elif value is None and like is not None:
        raise ValueError(f"{what} of {fn_name}: {where} is None, but {of} is a {type(like).__name__}: pass a zero "
                         "of its shape")
    elif shape_of_value(value) != shape_of_value(like):
        raise ValueError(f"{what} of {fn_name}: {where} has shape {tuple(shape_of_value(value))}, but {of} has "
                         f"shape {tuple(shape_of_value(like))}")


def _describe_container(value: Any) -> str:
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


# --- outputs ----------------------------------------------------------------------------------------------


def describe_function(fn: Any) -> str:
    """``qualname (file:line)`` of the ``def`` of ``fn`` (a function, method, callable object, or a srcgrad
    object wrapping one), for error messages; a decorated function is located at its own ``def``."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    for attribute in ("__func__", "fn"):
        inner = getattr(fn, attribute, None)
        if inner is not None and getattr(inner, "__code__", None) is not None:
            fn = inner
    call = vars(type(fn)).get("__call__")
    if getattr(fn, "__code__", None) is None and getattr(call, "__code__", None) is not None:
        fn = call
    with contextlib.suppress(Exception):  # a broken __wrapped__ chain: locate the function itself
        fn = inspect.unwrap(fn, stop=lambda f: getattr(f, "__code__", None) is None)
    code = getattr(fn, "__code__", None)
    if code is None:
        return name
    line = code.co_firstlineno
    lines = linecache.getlines(code.co_filename)
    if 0 < line <= len(lines) and lines[line - 1].lstrip().startswith("@"):  # decorators: find the def
        for i in range(line, min(line + 50, len(lines))):
            if re.match(r"\s*(async\s+)?def\s", lines[i]):
                line = i + 1
                break
    return f"{name} ({code.co_filename}:{line})"


def _output_problem(value: Any, real_scalar: bool) -> str | None:
    """Why ``value`` is not an output srcgrad can differentiate, or ``None`` when it is (a container is
    judged by the caller)."""
    if value is None:
        return "returned None"
    if isinstance(value, (bool, np.bool_)):
        if not real_scalar:
            return None
        return (f"returned the bool {value!r}: a comparison or a test (np.allclose, x > 0) has no gradient; "
                "return the real-valued quantity itself, e.g. np.sum((x - y) ** 2)")
    if isinstance(value, (str, bytes)):
        return f"returned a {type(value).__name__} ({value!r:.40})"
    kind = _kind_of(value)
    if _is_complex(value, kind):
        return (f"returned a complex {'array' if np.ndim(value) else 'number'} "
                f"({getattr(value, 'dtype', type(value).__name__)}); complex differentiation is not supported: "
                "return a real value, e.g. the squared magnitude (z.real ** 2 + z.imag ** 2) or z.real")
    if kind is not None:
        if kind == "f":
            return None
        if kind == "b":
            if not real_scalar:
                return None
            return (f"returned a boolean array (dtype {value.dtype}): a comparison has no gradient; return the "
                    "real-valued quantity itself")
        if kind in "iu":
            if not real_scalar:
                return None
            return (f"returned an integer ({type(value).__name__} of dtype {value.dtype}, e.g. from np.argmax, "
                    "a count or an index): its gradient is zero everywhere, which is almost certainly not what "
                    "you meant; return a floating-point value")
        return f"returned a {type(value).__name__} of dtype {value.dtype}, which has no gradient"
    if isinstance(value, numbers.Real):  # Python int (a constant such as `return 0`) and other reals
        return None
    return f"returned a {type(value).__name__}, which has no gradient"


def check_output(value: Any, fn: Any, what: str, real_scalar: bool = True) -> None:
    """Raise ``OutputTypeError`` unless ``value`` is an output ``what`` (``grad``, ``vjp``, ...) of ``fn`` can
    differentiate.

    ``real_scalar`` (``grad``, ``value_and_grad``, ``hessian``, ``derivative``): a real number. Accepted: Python
    floats, NumPy floating scalars, floating-point arrays (the caller then checks the shape) and Python ints
    (a constant such as ``return 0`` in one branch of a piecewise function: its gradient, zero, is right).
    Refused: booleans (``np.allclose(...)``, ``x > 0``), NumPy integers and integer arrays (``np.argmax``, a
    count: almost certainly a bug, as JAX says too), complex numbers and arrays, strings, ``None`` and other
    objects. A dict/list/tuple is left to the caller's shape check.

    Otherwise (``vjp``, ``jvp``): a number or array, or a dict/list/tuple of them; refused are complex,
    strings, ``None`` as the whole output and other non-numeric objects. Integer and boolean leaves are
    accepted (their derivative is zero); so is ``None`` inside a container (an empty subtree, as in JAX)."""
    if _is_float(value) or (real_scalar and isinstance(value, (list, tuple, dict))):
        return  # a float is fine; a container: the caller's NonScalarOutputError says what to do
    for keys, leaf in _leaves(value, _is_float):
        problem = None if leaf is None and keys else _output_problem(leaf, real_scalar)
        if problem is not None:
            if keys:
                problem = problem.replace("returned", f"returned, at output{_path(keys)},", 1)
            raise OutputTypeError(f"{what} of {describe_function(fn)}: the function {problem}. srcgrad "
                                  "differentiates functions whose output is a real floating-point number" +
                                  ("" if real_scalar else " or array (or a dict/list/tuple of them)") + ".")


def cast_like(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """Give a gradient its input's type (float for a float; the input's dtype and shape for an array), as
    an array the caller owns: writeable, and sharing memory with no other gradient or the cotangent."""
    if (type(gradient) is np.ndarray and type(like) is np.ndarray and gradient.base is None
            and gradient.dtype is like.dtype and gradient.shape == like.shape):
        # The common case, kept short: a fresh array of the input's dtype and shape.
        if id(gradient) in handed_out:
            return gradient.copy()
        handed_out.add(id(gradient))
        return gradient
    if type(like) is float and type(gradient) in (float, np.float64):
        return float(gradient)   # the other common case: a float input, and a float64 number of gradient
    if is_foreign(gradient) or is_foreign(like):
        return cast_foreign(gradient, like, handed_out)
    if type(like) is float:
        return float(gradient) if gradient is not None else 0.0
    if isinstance(like, (dict, list, tuple)):
        return _cast_container(gradient, like, handed_out)
    if is_dataclass_instance(like):
        return _cast_record(gradient, like, handed_out)
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0 and np.ndim(like)):
        gradient = np.zeros(np.shape(like), dtype=getattr(like, "dtype", None))
    if (type(like) is np.ndarray and type(gradient) is np.ndarray and gradient.dtype == like.dtype
            and gradient.shape == like.shape):
        out = gradient
    elif isinstance(like, numbers.Real) and not hasattr(like, "dtype"):
        return float(np.real(gradient))
    else:
        if np.iscomplexobj(gradient):  # complex intermediates of a real input: its gradient is the real part
            gradient = np.real(gradient)
        out = np.asarray(gradient, dtype=getattr(like, "dtype", None))
        if out.shape != np.shape(like):
            raise AssertionError(f"internal error: gradient of shape {out.shape} for an input of shape "
                                 f"{np.shape(like)}")
    if out is gradient and (out.base is not None or not out.flags.writeable or id(out) in handed_out):
        out = out.copy()
    handed_out.add(id(out))
    if isinstance(like, np.generic):
        return out[()]
    return out


def _cast_container(gradient: Any, like: dict | list | tuple, handed_out: set[int]) -> Any:
    """``cast_like`` item by item for a dict/list/tuple input. ``None`` or a zero number stands for zeros; a
    dict gradient may leave out keys, and a list gradient trailing items (zeros, as ``add_grads`` reads them).
    Code that used a list as an array (``np.sum(x)``) gives its gradient as one array, whose rows are the
    items' gradients. Anything else is an internal error, never a silent zero."""
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0):
        gradient = {} if isinstance(like, dict) else ()
    if isinstance(like, dict):
        if not isinstance(gradient, dict):
            raise AssertionError(f"internal error: a gradient of type {type(gradient).__name__} for a dict input")
        return {key: cast_like(gradient.get(key), item, handed_out) for key, item in like.items()}
    if (not isinstance(gradient, (list, tuple)) and len(shape_of(gradient)) == 0) or len(gradient) > len(like):
        raise AssertionError(f"internal error: a gradient of type {type(gradient).__name__} and shape "
                             f"{np.shape(gradient)} for a {type(like).__name__} of length {len(like)}")
    items = [cast_like(gradient[i] if i < len(gradient) else None, item, handed_out) for i, item in enumerate(like)]
    return type(like)(*items) if hasattr(like, "_fields") else type(like)(items)  # a namedtuple takes fields


def _cast_record(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """``cast_like`` for a dataclass input: an object of its class (a copy, made without calling its
    ``__init__``) whose fields hold their gradients; settings (``None``, strings) are the input's."""
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0):
        gradient = {}
    if not isinstance(gradient, dict):
        gradient = fields_of(gradient)  # the record itself, as a tangent passed through
    out = copy.copy(like)
    for name, item in fields_of(like).items():
        if not is_setting(item):
            object.__setattr__(out, name, cast_like(gradient.get(name), item, handed_out))
    return out


def cast_foreign(gradient: Any, like: Any, handed_out: set[int]) -> Any:
    """``cast_like`` for arrays of another library (Dask, CuPy): the gradient stays in that library, and
    lazy, without ``np.asarray`` (which would compute a Dask graph or fail for device memory). A float
    argument's gradient computed from such arrays is returned as the library's 0-d array: converting it to
    a float would compute it (``float()`` of it gives the number)."""
    if gradient is None or (isinstance(gradient, numbers.Number) and gradient == 0 and shape_of(like)):
        gradient = np.zeros_like(like) if is_foreign(like) else np.zeros(shape_of(like), dtype=like.dtype)
    if not is_foreign(gradient):  # a gradient that did not depend on the foreign data
        if type(like) is float or (isinstance(like, numbers.Real) and not hasattr(like, "dtype")):
            return float(np.real(gradient))
        gradient = np.asarray(gradient, like=like)
    dtype = getattr(like, "dtype", None)
    if dtype is not None and gradient.dtype != dtype:
        gradient = gradient.astype(dtype)
    shape = tuple(gradient.shape)
    if all(isinstance(n, numbers.Integral) for n in shape) and shape != tuple(shape_of(like)):
        raise AssertionError(f"internal error: gradient of shape {shape} for an input of shape {shape_of(like)}")
    if id(gradient) in handed_out or getattr(gradient, "base", None) is not None:
        gradient = gradient.copy()  # a view (CuPy) or a gradient already handed out: the caller owns a copy
    handed_out.add(id(gradient))
    return gradient


def fresh_gradient(gradient: Any, like: Any, seed: Any) -> Any:
    """``fresh_gradients`` of one gradient: the common case (a new array of the input's dtype and shape that
    is not the seed) without building the bookkeeping of several."""
    if (type(gradient) is np.ndarray and type(like) is np.ndarray and gradient.base is None
            and gradient.dtype is like.dtype and gradient.shape == like.shape and gradient is not seed):
        return gradient
    return cast_like(gradient, like, {id(seed)})


def fresh_gradients(gradients: Sequence[Any], likes: Sequence[Any], seed: Any) -> tuple:
    """Gradients as the user expects them; see ``cast_like``."""
    handed_out = {id(seed)}
    return tuple([cast_like(g, like, handed_out) for g, like in zip(gradients, likes)])


def shape_of_value(value: Any) -> tuple[int, ...]:
    return value.shape if type(value) is np.ndarray else tuple(shape_of(value))

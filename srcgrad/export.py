"""Generated gradient code as a standalone module: the code plus the few helpers it calls, no srcgrad.

``export_module(f, *args, argnums=0, mode="reverse")`` returns the text of a Python module that defines
the gradient of ``f`` specialized to the signature of ``args`` (``f_grad(*params, d_out)``, or
``f_jvp(*params, *tangents)`` in forward mode), the rule helpers it calls with everything they call in
turn, copied from srcgrad's own source, and the imports they need (NumPy, ``math``). The user's source
lines stay as comments; a header says which srcgrad version and which signature made it.

What the code needs at run time must be copied or imported: a module, one of srcgrad's helper functions
or classes, a number or string, a NumPy function or type. Code that calls back into srcgrad while it runs
(a callee transformed at run time, ``call_with_vjp``), or reads an object of the user's that cannot be
written down, is refused with an ``ExportError`` that names it: such a module would need srcgrad after all.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import SrcgradError
from .numba_backend import Compiled, lowered_source, numba_available, numba_overloads, numpy_name_in
from .pipeline import describe_argument, forward_transform, reverse_transform
from .version import __version__

_HELPER_MODULES = ("srcgrad.rules.", "srcgrad.transform.loops", "srcgrad.runtime", "srcgrad.numba_overloads")
_PREFERRED_IMPORTS = {"numpy": "import numpy as np", "math": "import math", "numbers": "import numbers",
                      "operator": "import operator", "functools": "import functools", "itertools": "import itertools"}


class ExportError(SrcgradError):
    """The generated code needs something a standalone module cannot carry."""


def export_module(fn: Callable, *args: Any, argnums: int | Sequence[int] = 0, mode: str = "reverse",
                  compile: str | None = None) -> str:
    """The text of a module with ``fn``'s gradient (``mode="reverse"``) or its forward-mode derivative
    (``"forward"``) for arguments like ``args``, runnable with NumPy alone (see the module docstring); with
    ``compile="numba"``, the gradient compiled by Numba (``docs/compiled.md``), runnable with NumPy and
    Numba."""
    if compile not in (None, "numba"):
        raise ValueError(f"compile must be None or 'numba', not {compile!r}")
    if compile is not None and (mode != "reverse" or not numba_available()):
        raise ExportError("compile='numba' exports reverse mode, and needs Numba installed to write it "
                          "(pip install 'srcgrad[numba]')")
    numbers_ = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if mode == "reverse":
        generated = reverse_transform(fn, numbers_, with_value=False, examples=args)
    elif mode == "forward":
        generated = forward_transform(fn, numbers_, examples=args)
    else:
        raise ValueError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    collector = _Collector(_where(fn))
    source, namespace = generated.source, generated.namespace
    if compile is not None:
        collector.overloads = numba_overloads()
        numpy_name = numpy_name_in(namespace)
        namespace = {**namespace, numpy_name: np}
        source = lowered_source(source, numpy_name, vectorised=False)   # (object mode would need srcgrad's stubs)
        namespace = {key: collector.overloads.VERSIONS.get(id(value), value) for key, value in namespace.items()}
        # compiled here first: code outside Numba's subset is refused now, naming the line, not when it runs
        compiled = Compiled.of(generated, True, _where(fn))
        example = (*args, 1.0)
        compiled.first_call(example, generated.function(*example))
    collector.names_of(source, namespace)
    namespaces = []   # srcgrad modules a helper reads attributes of: the attributes, copied, under its name
    for module, attributes in sorted(collector.modules.items()):
        collector.imports.add("import types")
        fields = ", ".join(f"{attribute}={alias}" for attribute, alias in sorted(attributes.items()))
        namespaces.append(f"{module} = types.SimpleNamespace({fields})")
    signature = ", ".join(f"{name}: {describe_argument(value)}"
                          for name, value in zip(inspect.signature(fn).parameters, args))
    what = "Gradient" if mode == "reverse" else "Forward-mode derivative"
    needs = "It needs NumPy only" if compile is None else "Compiled with Numba, it needs NumPy and Numba"
    header = "\n".join([f'"""{what} of {getattr(fn, "__qualname__", "f")}, written by srcgrad {__version__}.', "",
                         *textwrap.wrap(f"Specialized to {signature}; argnums={numbers_}. {needs} "
                                        "(python -m srcgrad export).", 100), '"""'])
    if compile is not None:
        collector.imports.add("import numba")
    # isort's order: the standard library, then NumPy and Numba; plain imports before from-imports in each
    sections = [sorted((line for line in collector.imports if _third_party(line) == third_party),
                       key=lambda line: (line.startswith("from "), line)) for third_party in (False, True)]
    head = "\n\n".join([header, "from __future__ import annotations",
                         *("\n".join(section) for section in sections if section)])
    signature_value = [_signature_entry(name, value) for name, value in zip(inspect.signature(fn).parameters, args)]
    constants = [*collector.constants,
                 "_SIGNATURE = [\n" + "".join(f"    {entry!r},\n" for entry in signature_value) + "]"]
    head += "\n\n" + "\n".join(constants)   # (isort keeps one blank line between the imports and a statement)
    code = _checked(source, len(args)) if compile is None else _compiled(source, len(args))
    parts = [head, *collector.definitions, *collector.registrations, "\n".join(namespaces), _SIGNATURE_CHECK, code]
    return "\n\n\n".join(part.rstrip("\n") for part in parts if part.strip()) + "\n"


# The code is specialized to the example arguments' types, shapes and dtypes (``d_out / 5000`` for a mean
# over 5000 rows): other arguments would get a wrong gradient, so the module checks them first.
_SIGNATURE_CHECK = '''def _check_arguments(*values):
    """Refuse arguments of another type, shape or dtype than the code was written for."""
    for (name, kind, shape, dtype), value in zip(_SIGNATURE, values):
        got = (type(value).__name__, getattr(value, "shape", None), str(getattr(value, "dtype", None)))
        if got[0] != kind or (shape is not None and tuple(got[1]) != tuple(shape)) or (
                dtype is not None and got[2] != dtype):
            raise ValueError(f"{name}: this gradient was written for {kind} {shape} {dtype}, not "
                             f"{got[0]} {got[1]} {got[2]}; export it again for these arguments")'''


def _compiled(source: str, count: int) -> str:
    """The generated function compiled by Numba under ``_<name>_compiled`` (cached on disk beside the
    module), and ``<name>`` checking the arguments before it calls it."""
    definition = ast.parse(source).body[0]
    name = definition.name
    params = [a.arg for a in definition.args.args]
    compiled = source.replace(f"def {name}(", f"def _{name}_compiled(", 1)
    wrapper = (f"def {name}({', '.join(params)}):\n"
               f"    _check_arguments({', '.join(params[:count])})\n"
               f"    return _{name}_compiled({', '.join(params)})\n")
    return f"@numba.njit(cache=True, error_model=\"numpy\")\n{compiled.rstrip()}\n\n\n{wrapper}"


def _third_party(import_line: str) -> bool:
    return import_line.split()[1].split(".", maxsplit=1)[0] in ("numpy", "numba")


def _signature_entry(name: str, value: Any) -> tuple:
    if isinstance(value, np.ndarray):
        return (name, "ndarray", tuple(value.shape), str(value.dtype))
    return (name, type(value).__name__, None, None)


def _checked(source: str, count: int) -> str:
    """The generated function with the signature check as its first statement."""
    lines = source.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("def "))
    definition = ast.parse(source).body[0]
    params = [a.id if hasattr(a, "id") else a.arg for a in definition.args.args][:count]
    lines.insert(header + 1, f"    _check_arguments({', '.join(params)})")
    return "\n".join(lines) + "\n"


class _Collector:
    """Everything the generated code reads from its namespace, and what that needs in turn."""

    def __init__(self, what: str):
        self.what = what
        self.imports: set[str] = set()
        self.constants: list[str] = []
        self.definitions: list[str] = []
        self.done: dict[int, str] = {}   # id of a copied helper -> the name it is defined under
        self.bound: set[str] = set()
        self.modules: dict[str, dict[str, str]] = {}   # a module of srcgrad's a helper reads -> attribute -> name
        self.overloads: types.ModuleType | None = None   # compile="numba": numba_overloads
        self.registrations: list[str] = []     # ``overload(stub)(typing)`` for each stub copied

    def names_of(self, source: str, namespace: dict[str, Any]) -> None:
        tree = ast.parse(textwrap.dedent(source))
        assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        assigned |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                     for a in (*n.posonlyargs, *n.args, *n.kwonlyargs)}
        assigned |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for name in sorted(read - assigned):
            if name in namespace:
                self.bind(name, namespace[name])
            elif not hasattr(builtins, name):
                raise ExportError(f"the code of {self.what} reads {name!r}, which it finds nowhere")

    def bind(self, name: str, value: Any) -> None:
        """Make ``name`` mean ``value`` in the module: an import, a copied definition or a constant."""
        if name in self.bound:
            return
        self.bound.add(name)
        if getattr(builtins, name, None) is value:
            return
        if isinstance(value, types.ModuleType) and value.__name__.startswith("srcgrad"):
            self.modules.setdefault(name, {})   # its attributes are copied as the helpers read them
        elif isinstance(value, types.ModuleType):
            self.imports.add(_import(name, value))
        elif isinstance(value, (types.FunctionType, type)) and _ours(value):
            self.copy(name, value)
        elif str(getattr(value, "__module__", "")).startswith("numba.") and getattr(value, "__name__", None):
            self.imports.add(f"from {value.__module__} import {value.__name__}"
                             + ("" if value.__name__ == name else f" as {name}"))
        elif _literal(value):
            self.constants.append(f"{name} = {value!r}")
        elif _numpy_attribute(value) is not None:
            self.imports.add("import numpy as np")
            self.constants.append(f"{name} = np.{_numpy_attribute(value)}")
        elif isinstance(value, type) and getattr(builtins, value.__name__, None) is value:
            self.constants.append(f"{name} = {value.__name__}")
        elif isinstance(value, tuple) and all(isinstance(v, type) for v in value):
            for item in value:
                if not (getattr(builtins, item.__name__, None) is item or _numpy_attribute(item) is not None
                        or _ours(item)):
                    raise ExportError(f"the code of {self.what} reads {name!r}, a tuple of types that cannot be written")
            self.imports.add("import numpy as np")
            written = ", ".join(item.__name__ if getattr(builtins, item.__name__, None) is item else
                                f"np.{_numpy_attribute(item)}" for item in value)
            self.constants.append(f"{name} = ({written},)")
        else:
            module = getattr(value, "__module__", None) or type(value).__module__
            hint = ("it calls back into srcgrad while it runs (a callee transformed at run time): write the "
                    "callee so that srcgrad inlines it, or give it a rule") if str(module).startswith("srcgrad") \
                else "pass it as an argument instead of reading it from a global"
            raise ExportError(f"the code of {self.what} reads {name!r} ({type(value).__name__} from {module}), "
                              f"which a standalone module cannot carry; {hint}")

    def _typing_of(self, value: Any) -> tuple[Callable, Callable] | None:
        """``(overload, typing function)`` for a stub of ``numba_overloads``, else None."""
        if self.overloads is None:
            return None
        return next(((self.overloads.overload, typing) for stub, typing in self.overloads.TABLE.values()
                     if stub is value), None)

    def copy(self, name: str, value: Any) -> None:
        """Copy one of srcgrad's helpers (a function or class) under ``name``, and what it reads."""
        copied = self.done.get(id(value))
        if copied is not None:
            if copied != name:   # copied before under its own name: this one is an alias of it
                self.definitions.append(f"{name} = {copied}")
            return
        self.done[id(value)] = value.__name__
        module = getattr(value, "__module__", "")
        if module == "srcgrad.runtime" and value.__name__.startswith("call_"):
            raise ExportError(f"the code of {self.what} calls {module}.{value.__qualname__}, which runs srcgrad "
                              "itself: a callee it transforms while the code runs (recursion, a function passed as "
                              "a value); a standalone module cannot carry it. Write the callee so that srcgrad "
                              "inlines it, or give it a rule (srcgrad.defvjp)")
        if not module.startswith(_HELPER_MODULES) or getattr(value, "__closure__", None):
            raise ExportError(f"the code of {self.what} calls {module}.{value.__qualname__}, which runs srcgrad "
                              "itself; a standalone module cannot carry it")
        namespace = inspect.getmodule(value).__dict__
        source = _without_registrations(textwrap.dedent(inspect.getsource(value)), namespace)
        if value.__name__ != name:
            source += f"\n\n{name} = {value.__name__}\n"
            self.bound.add(value.__name__)
        self.definitions.append(source)
        typing = self._typing_of(value)
        if typing is not None:   # a stub of numba_overloads: its implementation and its registration
            self.bind("overload", typing[0])
            self.bind(typing[1].__name__, typing[1])
            self.registrations.append(f"overload({name})({typing[1].__name__})")
        tree = ast.parse(source)
        local = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        local |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                  for a in (*n.posonlyargs, *n.args, *n.kwonlyargs, *(x for x in (n.vararg, n.kwarg) if x))}
        local |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        annotated = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        read = {n.id for n in ast.walk(_without_annotations(tree)) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)}
        for typing_name in sorted(annotated - read - local):   # names only annotations read: imported for linters
            annotation = namespace.get(typing_name)
            origin = getattr(annotation, "__module__", None)
            if origin in ("typing", "collections.abc") and getattr(annotation, "_name", typing_name) is not None:
                self.imports.add(f"from {origin} import {typing_name}")
            elif typing_name in namespace:
                self.bind(typing_name, annotation)
        for read_name in sorted(read - local):
            if read_name in namespace:
                self.bind(read_name, namespace[read_name])
                if read_name in self.modules:   # ``dispatch.zeros``: copy what is read of srcgrad's module
                    module = namespace[read_name]
                    for node in ast.walk(tree):
                        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                                and node.value.id == read_name and node.attr not in self.modules[read_name]:
                            alias = f"_{read_name}_{node.attr}"
                            self.modules[read_name][node.attr] = alias
                            self.bind(alias, getattr(module, node.attr))
            elif not hasattr(builtins, read_name):
                raise ExportError(f"srcgrad's helper {value.__qualname__} reads {read_name!r}, which it finds nowhere")


def _where(fn: Callable) -> str:
    """``loss (model.py:12)``: the function a refusal is about, and where the user wrote it."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    place = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
    return f"{getattr(fn, '__qualname__', 'the function')}{place}"


def _without_registrations(source: str, namespace: dict[str, Any]) -> str:
    """A helper's source without the decorators of srcgrad's that register it (``@one_partial_of(...)``):
    the exported module has no rule table to fill."""
    definition = ast.parse(source).body[0]
    lines = source.splitlines(keepends=True)
    for decorator in getattr(definition, "decorator_list", []):
        root = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and _ours(namespace.get(root.id)):
            for line in range(decorator.lineno - 1, decorator.end_lineno):
                lines[line] = ""
    return "".join(lines)


def _literal(value: Any) -> bool:
    """Whether ``repr(value)`` is a Python literal that gives the value back (numbers, strings, None, and
    tuples, lists and dicts of them); NumPy's scalars are not (their repr names NumPy)."""
    if isinstance(value, np.generic):
        return False
    try:
        return type(value) in (type(None), bool, int, float, complex, str, tuple, list, dict) and \
            ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError, TypeError):
        return False


def _without_annotations(tree: ast.AST) -> ast.AST:
    """``tree`` without its annotations (``from __future__ import annotations`` never evaluates them)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
    return tree


def _ours(value: Any) -> bool:
    return str(getattr(value, "__module__", "")).startswith("srcgrad")


def _import(name: str, module: types.ModuleType) -> str:
    preferred = _PREFERRED_IMPORTS.get(module.__name__)
    if preferred is not None and preferred.endswith(f" {name}"):
        return preferred
    if "." in module.__name__:
        parent, _, leaf = module.__name__.rpartition(".")
        return f"from {parent} import {leaf}" + ("" if leaf == name else f" as {name}")
    return f"import {module.__name__}" + ("" if module.__name__ == name else f" as {name}")


def _numpy_attribute(value: Any) -> str | None:
    """``value``'s name in NumPy's namespace (``float64``, ``add``, ``newaxis``), or None."""
    name = getattr(value, "__name__", None)
    if isinstance(name, str) and getattr(np, name, None) is value:
        return name
    return None


__all__ = ["ExportError", "export_module"]

"""What the command line needs from the user: a function named ``path/to/file.py:func``, example arguments
written as a Python expression, and ``argnums``.

Every mistake becomes a ``UsageError`` whose message fits on one line, so the command line can print it
to stderr and exit with status 2, the way ``argparse`` treats a bad option.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np


class UsageError(Exception):
    """A wrong path, name or expression on the command line (exit status 2)."""


def module_name(path: Path) -> str:
    """A module name derived from the file name (``my-model.py`` → ``my_model``), prefixed with ``_srcgrad_``
    when an imported or standard-library module has that name, so a user's ``json.py`` shadows nothing."""
    name = re.sub(r"\W", "_", path.stem) or "_module"
    if name[0].isdigit():
        name = f"_{name}"
    existing = sys.modules.get(name)
    other_file = existing is not None and Path(getattr(existing, "__file__", "") or "").resolve() != path.resolve()
    if other_file or name in sys.stdlib_module_names:  # a later `import json` must still find the real one
        name = f"_srcgrad_{name}"
    return name


def load_module(path_text: str) -> ModuleType:
    """Import a Python file by path, as ``python path/to/file.py`` would see it: its directory comes first
    on ``sys.path``, so it can import its neighbours."""
    path = Path(path_text)
    if not path.is_file():
        raise UsageError(f"no such file: {path_text}")
    if path.suffix != ".py":
        raise UsageError(f"not a Python file: {path_text}")
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot import {path_text}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # inspect.getsource and pickling look the module up by name
    directory = str(path.resolve().parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        spec.loader.exec_module(module)
    except SystemExit as exit_:
        raise UsageError(f"importing {path_text} called sys.exit({exit_.code!r})") from None
    except BaseException as error:
        del sys.modules[name]
        where = _last_frame_in(error, path)
        raise UsageError(f"importing {path_text} failed{where}: {type(error).__name__}: {error}") from None
    return module


def _last_frame_in(error: BaseException, path: Path) -> str:
    """`` at line N`` for the deepest traceback line in the user's file, or for a SyntaxError its line."""
    if isinstance(error, SyntaxError) and error.lineno:
        return f" at line {error.lineno}"
    line = None
    traceback = error.__traceback__
    while traceback is not None:
        if Path(traceback.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return f" at line {line}" if line is not None else ""


def load_target(target: str) -> Any:
    """The object named by ``path/to/file.py:name`` (``name`` may be dotted: ``file.py:Model.loss``)."""
    path, colon, qualname = target.rpartition(":")
    if not colon or not path or not qualname:
        raise UsageError(f"expected path/to/file.py:function, got {target!r}")
    module = load_module(path)
    obj: Any = module
    for part in qualname.split("."):
        if not hasattr(obj, part):
            owner = path if obj is module else f"{path}:{qualname.rsplit('.', 1)[0]}"
            raise UsageError(f"{owner} has no attribute {part!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{target} is not a function (it is of type {type(obj).__name__})")
    return obj


def evaluate_args(expression: str) -> tuple:
    """Example arguments from a Python expression evaluated with ``numpy as np`` (and ``math``) in scope.
    A tuple is the argument list; anything else is a single argument."""
    try:
        value = eval(expression, {"np": np, "numpy": np, "math": math})
    except Exception as error:
        raise UsageError(f"cannot evaluate --args {expression!r}: {type(error).__name__}: {error}") from None
    return value if isinstance(value, tuple) else (value,)


def parse_argnums(text: str) -> int | tuple[int, ...]:
    """``"0"`` → ``0``; ``"0,2"`` → ``(0, 2)`` (a tuple, as ``grad(f, argnums=(0, 2))`` takes)."""
    parts = [part.strip() for part in text.split(",")]
    try:
        numbers = tuple(int(part) for part in parts)
    except ValueError:
        raise UsageError(f"--argnums takes integers separated by commas, got {text!r}") from None
    return numbers[0] if len(numbers) == 1 else numbers


def check_argnums(fn: Any, argnums: int | tuple[int, ...], n_args: int | None = None) -> None:
    """Fail early, with one line, when an argnum points past the function's parameters."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    count = n_args if n_args is not None else len(parameters)
    for i in (argnums,) if isinstance(argnums, int) else argnums:
        if not -count <= i < count:
            raise UsageError(f"argnums {i} is out of range: {getattr(fn, '__name__', 'the function')} takes "
                             f"{count} arguments")

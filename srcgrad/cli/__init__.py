"""``python -m srcgrad``: read the gradient code srcgrad writes, check a gradient, run the seed tutorial.

    python -m srcgrad show path/to/file.py:func [--argnums 0,1] [--args EXPR] [--unoptimized] [--mode forward]
    python -m srcgrad check path/to/file.py:func --args "(np.ones(3), 2.0)" [--order 2]
    python -m srcgrad export path/to/file.py:func --args "(np.ones(3), 2.0)" [--mode forward] [--compile numba] -o grad.py
    python -m srcgrad tutorial

Exit status: 0 success (PASS), 1 a failed check or code srcgrad cannot differentiate, 2 a usage error (a
wrong path, name, expression or option), always with one line on
stderr, so scripts and people can tell "your gradient is wrong" from "you typed it wrong".
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import srcgrad
from srcgrad.data import run_tutorial, tutorial_path
from srcgrad.pipeline import forward_transform, reverse_transform
from srcgrad.testing import check_grads

from .colors import highlight
from .loading import UsageError, check_argnums, evaluate_args, load_target, parse_argnums


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the usage block argparse prints would bury the message."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m srcgrad`` parser with its three commands."""
    parser = _Parser(prog="python -m srcgrad", description="srcgrad: source-transformation autodiff for NumPy.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    show = commands.add_parser("show", help="print the gradient code srcgrad generates for a function",
                               description="Print the gradient code srcgrad generates for a function, "
                                           "commented with your own lines.")
    _add_target(show)
    show.add_argument("--args", metavar="EXPR",
                      help="example arguments (a Python expression, numpy as np in scope): the code specialized "
                           "to their types and shapes is shown")
    show.add_argument("--mode", choices=("reverse", "forward", "hessian"), default="reverse",
                      help="reverse mode (default), forward mode, or all the code of srcgrad.hessian "
                           "(reverse mode over forward mode; needs --args)")
    show.add_argument("--unoptimized", action="store_true",
                      help="show the code before dead-code elimination")
    show.add_argument("--passes", action="store_true",
                      help="show the reverse-mode code before the optimizations and after each one that changes "
                           "it (srcgrad.passes.OPTIMIZATIONS)")
    show.add_argument("--compile", choices=("numba",), default=None,
                      help="show the reverse-mode code Numba compiles for grad(f, compile='numba')")
    show.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="ANSI syntax colors: auto (default) colors a terminal unless NO_COLOR is set")

    check = commands.add_parser("check", help="compare srcgrad's gradient with finite differences",
                                description="Compare srcgrad's gradient with central finite differences "
                                            "(srcgrad.testing.check_grads). Prints PASS (exit 0) or FAIL "
                                            "with the disagreeing entries and the generated code (exit 1).")
    _add_target(check)
    check.add_argument("--args", metavar="EXPR", required=True,
                       help='the point to check at, e.g. "(np.ones(3), 2.0)" (numpy as np in scope)')
    check.add_argument("--order", type=int, choices=(1, 2), default=1, help="2 also checks second derivatives")
    check.add_argument("--mode", choices=("reverse", "forward"), default="reverse",
                       help="reverse mode (default) or forward mode")
    check.add_argument("--rtol", type=float, help="relative tolerance (default: per dtype)")
    check.add_argument("--atol", type=float, help="absolute tolerance (default: per dtype)")

    export = commands.add_parser("export", help="write a function's gradient as a module that needs only NumPy",
                                 description="Write the gradient srcgrad generates for a function, specialized to "
                                             "the types and shapes of --args, as a standalone module: the code, "
                                             "the helpers it calls and their imports, no srcgrad.")
    _add_target(export)
    export.add_argument("--args", metavar="EXPR", required=True,
                        help="example arguments (a Python expression, numpy as np in scope)")
    export.add_argument("--mode", choices=("reverse", "forward"), default="reverse",
                        help="reverse mode: f_grad(*args, d_out) (default); forward: f_jvp(*args, *tangents)")
    export.add_argument("--compile", choices=("numba",), default=None,
                        help="compile the gradient with Numba (@numba.njit(cache=True)); the module then needs Numba")
    export.add_argument("-o", "--output", metavar="FILE.py", help="where to write it (default: standard output)")

    tutorial = commands.add_parser("tutorial", help="run PyTorch's autograd tutorial on srcgrad's Tensor shim",
                                   description="Run the PyTorch autograd tutorial srcgrad's Tensor shim was "
                                               "built against, with `import torch` giving srcgrad.")
    tutorial.add_argument("--seed", type=int, default=0, help="srcgrad.manual_seed before running (default 0)")
    tutorial.add_argument("--source", action="store_true", help="print the tutorial script instead of running it")
    return parser


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="FILE.py:FUNCTION", help="the function, e.g. examples/rnn.py:loss")
    parser.add_argument("--argnums", default=None, metavar="N[,N...]",
                        help="which arguments to differentiate with respect to (default: 0 for show, every "
                             "floating-point argument for check)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.command is None:
        return _usage(parser.prog, "choose a command: show, check, export or tutorial (see --help)")
    prog = f"{parser.prog} {options.command}"
    try:
        if options.command == "show":
            return _show(options, prog)
        if options.command == "check":
            return _check(options, prog)
        if options.command == "export":
            return _export(options, prog)
        return _tutorial(options)
    except UsageError as error:
        return _usage(prog, str(error))


def _usage(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def _show(options: argparse.Namespace, prog: str) -> int:

    fn = load_target(options.target)
    argnums = parse_argnums(options.argnums) if options.argnums is not None else 0
    args = _arguments(fn, options.args) if options.args is not None else None
    fn, argnums = _unwrap_grad(fn, argnums)
    fn, args, argnums = _unbind(fn, args, argnums)
    check_argnums(fn, argnums, len(args) if args is not None else None)
    try:
        if options.mode == "hessian":
            if args is None or not isinstance(argnums, int):
                return _usage(prog, "--mode hessian needs --args and one argument number")
            source = srcgrad.show(srcgrad.hessian(fn, argnums), *args)
        elif options.compile is not None:
            if options.mode != "reverse" or options.unoptimized or options.passes:
                return _usage(prog, "--compile shows reverse mode's compiled code: leave out --mode, --unoptimized "
                                    "and --passes")
            source = srcgrad.show(fn, *(args or ()), argnums=argnums, compile=options.compile)
        elif options.passes:
            if options.mode != "reverse" or options.unoptimized:
                return _usage(prog, "--passes shows reverse mode's optimizations: leave out --mode and --unoptimized")
            source = srcgrad.show(fn, *(args or ()), argnums=argnums, passes=True)
        elif options.mode == "forward":
            numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
            source = forward_transform(fn, numbers, examples=args, optimize=not options.unoptimized).source
        elif options.unoptimized:
            numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
            source = reverse_transform(inspect.unwrap(fn), numbers, with_value=False, optimize=False,
                                       examples=args).source
        else:
            source = srcgrad.show(fn, *(args or ()), argnums=argnums)
    except srcgrad.SrcgradError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    if _use_color(options.color):
        source = highlight(source)
    sys.stdout.write(source if source.endswith("\n") else source + "\n")
    return 0


def _check(options: argparse.Namespace, prog: str) -> int:
    fn = load_target(options.target)
    args = _arguments(fn, options.args)
    argnums = parse_argnums(options.argnums) if options.argnums is not None else None
    if argnums is not None:
        check_argnums(fn, argnums, len(args))
    name = f"{getattr(fn, '__qualname__', options.target)} ({options.target})"
    try:
        summary = check_grads(fn, args, order=options.order, rtol=options.rtol, atol=options.atol,
                              argnums=argnums, modes=("fwd",) if options.mode == "forward" else ("rev",))
    except AssertionError as error:
        print(f"FAIL {name}\n{error}")
        return 1
    except Exception as error:
        if isinstance(error, ValueError) and str(error).startswith("check_grads:"):
            raise UsageError(str(error)[len("check_grads: "):]) from None  # nothing to check: a usage problem
        print(f"FAIL {name}: {type(error).__name__}: {error}")
        return 1
    orders = "first derivatives" if options.order == 1 else "first and second derivatives"
    print(f"PASS {name}: {summary.checked} {orders} agree with central finite differences "
          f"(largest difference {summary.max_abs_error:.2g}, {100 * summary.max_tolerance_fraction:.2g}% of "
          "its tolerance)")
    return 0


def _export(options: argparse.Namespace, prog: str) -> int:
    fn = load_target(options.target)
    args = _arguments(fn, options.args)
    argnums = parse_argnums(options.argnums) if options.argnums is not None else 0
    fn, argnums = _unwrap_grad(fn, argnums)
    fn, args, argnums = _unbind(fn, args, argnums)
    check_argnums(fn, argnums, len(args))
    try:
        text = srcgrad.export_module(fn, *args, argnums=argnums, mode=options.mode, compile=options.compile)
    except srcgrad.SrcgradError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    if options.output is None:
        sys.stdout.write(text)
    else:
        with open(options.output, "w", encoding="utf-8") as file:
            file.write(text)
    return 0


def _tutorial(options: argparse.Namespace) -> int:
    if options.source:
        text = tutorial_path().read_text(encoding="utf-8")
        sys.stdout.write(highlight(text) if _use_color("auto") else text)
        return 0
    run_tutorial(options.seed)
    return 0


def _arguments(fn: Any, expression: str) -> tuple:
    """The evaluated ``--args``, checked against the function's signature so a mismatch is one line."""
    args = evaluate_args(expression)
    try:
        inspect.signature(fn).bind(*args)
    except TypeError as error:
        raise UsageError(f"--args do not fit {getattr(fn, '__name__', 'the function')}: {error}") from None
    except ValueError:  # no signature to compare with
        pass
    return args


def _unwrap_grad(fn: Any, argnums: Any) -> tuple[Any, Any]:
    """A ``grad(f)`` object in the file stands for ``f`` with the argnums it was created with."""
    inner, numbers = getattr(fn, "fn", None), getattr(fn, "argnums", None)
    if callable(inner) and isinstance(numbers, tuple):
        return inner, numbers
    return fn, argnums


def _unbind(fn: Any, args: tuple | None, argnums: Any) -> tuple[Any, tuple | None, Any]:
    """A bound method (``file.py:model.loss``) is transformed as its function with ``self`` first."""
    if not inspect.ismethod(fn):
        return fn, args, argnums
    shifted = argnums + 1 if isinstance(argnums, int) else tuple(i + 1 for i in argnums)
    return fn.__func__, (fn.__self__, *args) if args is not None else None, shifted


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

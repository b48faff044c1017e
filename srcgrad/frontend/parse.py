"""Read a function's source and the scope its names resolve in."""

from __future__ import annotations
import __future__

import ast
import builtins
import contextlib
import dis
import inspect
import keyword
import linecache
import os
import re
import sys
import textwrap
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast

from ..analysis.walk import walk
from ..errors import SourceUnavailableError, SrcgradSyntaxError, StaleSourceError
from ..visitors import NodeTransformer

_MISSING = object()


@dataclass
class Scope:
    """Where the names of a user function resolve: its closure cells, its module globals, the builtins.

    Resolution happens at transform time so that the transformer can look a called name up in the rule
    table; the generated code is later bound to the same objects."""

    globals: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, fn: Callable) -> Scope:
        code = fn.__code__
        cells = fn.__closure__ or ()
        closure = {}
        for name, cell in zip(code.co_freevars, cells):
            with contextlib.suppress(ValueError):  # an empty cell: assigned later in the enclosing function
                closure[name] = cell.cell_contents
        return cls(fn.__globals__, closure)

    def lookup(self, name: str, default: Any = _MISSING) -> Any:
        for table in (self.closure, self.globals, vars(builtins)):
            if name in table:
                return table[name]
        if default is _MISSING:
            raise KeyError(name)
        return default

    def has(self, name: str) -> bool:
        absent = object()
        return self.lookup(name, absent) is not absent


@dataclass
class ParsedFunction:
    """A user function's syntax tree with line numbers that match its file, plus what errors need."""

    fn: Callable
    node: gast.FunctionDef
    filename: str
    lines: dict[int, str]
    scope: Scope
    # lines of helpers inlined into the function (frontend/inline_helpers.py), by the helper's name
    inlined_lines: dict[int, str] = field(default_factory=dict)

    def line(self, lineno: int | None) -> str | None:
        return self.lines.get(lineno) if lineno is not None else None

    def where(self, lineno: int) -> str:
        """How a generated line comment names line ``lineno``: ``line 12``, or ``line 12, in helper``
        for a line of an inlined helper."""
        helper = self.inlined_lines.get(lineno)
        return f"line {lineno}" if helper is None else f"line {lineno}, in {helper}"

    def error(self, node: Any, message: str, hint: str | None = None,
              cls: type[SrcgradSyntaxError] = SrcgradSyntaxError) -> SrcgradSyntaxError:
        lineno = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        return cls(message, self.filename, lineno, col, self.line(lineno), hint)


def parse_function(fn: Callable, lower_generators: bool = True) -> ParsedFunction:
    """Parse ``fn``'s source with gast, strip its decorators and shift line numbers to the file's. Generator
    functions (``fn`` itself and those defined in it) become functions that return the list of what they
    yield, where the calls of generators are seen to take every item at once (``generators.py``): before
    anything reads the tree, which then holds every name the function binds."""
    target = fn  # a decorated function is transformed as its wrapper: the wrapper may change the result
    if not inspect.isfunction(target):
        kind = "a builtin or C function" if inspect.isbuiltin(target) else type(target).__name__
        raise SourceUnavailableError(
            f"srcgrad can only transform Python functions; {getattr(fn, '__name__', fn)!r} is {kind}. "
            "Register a rule for it with srcgrad.defvjp instead.")
    lines, start, filename = verified_source(target)
    source = textwrap.dedent("".join(lines))
    if target.__name__ == "<lambda>":
        node = _lambda_as_def(source, target)
    else:
        node = gast.parse(source).body[0]
    if isinstance(node, gast.AsyncFunctionDef):
        raise SrcgradSyntaxError("async functions cannot be differentiated", filename, start,
                                 None, lines[0], "differentiate a plain def instead")
    if not isinstance(node, gast.FunctionDef):
        raise SourceUnavailableError(
            f"{target.__qualname__} was not defined by a def statement or a lambda that srcgrad can find in "
            "its source line")
    line_offset = start - 1
    col_offset = len(lines[0]) - len(lines[0].lstrip())
    for sub in walk(node):
        if getattr(sub, "lineno", None) is not None:
            sub.lineno += line_offset
            sub.col_offset += col_offset
            if getattr(sub, "end_lineno", None) is not None:
                sub.end_lineno += line_offset
    node.decorator_list = []
    owners = _mangling_classes(source, target.__code__)
    if len(owners) == 1:
        node = _MangledNames(owners[0]).visit(node)
    numbered = {start + i: text.rstrip("\n") for i, text in enumerate(lines)}
    parsed = ParsedFunction(target, node, filename, numbered, Scope.of(target))
    if lower_generators:
        from .generators import lower_generators as lower  # noqa: PLC0415  (generators.py parses callees)

        lower(parsed)
    return parsed


# The first line of a def, a decorator or a lambda: what ``inspect`` searched back for before Python 3.13.
_DEFINITION_LINE = re.compile(r"^(\s*def\s)|(\s*async\s+def\s)|(.*(?<!\w)lambda(:|\s))|^(\s*@)")


def _source_lines(code: types.CodeType) -> tuple[list[str], int]:
    """``inspect.getsourcelines(code)`` the same on every Python: the block that starts at line
    ``co_firstlineno`` or, when that line starts no def, decorator or lambda, at the nearest line above that
    does. Up to Python 3.12 ``inspect`` searches back like this; 3.13 takes the line as it is, so after an
    edit that removed lines above a function it returned a fragment of its body (``    return ...``), which
    does not compile and failed to parse with a bare ``IndentationError``. The line of an unchanged function
    always starts its def, decorator or lambda, so the search only runs after an edit, and what it finds is
    checked against the code like any text."""
    lines, lnum = inspect.findsource(code)
    while lnum > 0 and not _DEFINITION_LINE.match(lines[lnum]):
        lnum -= 1
    return inspect.getblock(lines[lnum:]), lnum + 1


def _read_source(target: types.FunctionType) -> tuple[list[str], int, str]:
    try:
        # The code object, not the function: inspect would follow __wrapped__ to the undecorated function.
        lines, start = _source_lines(target.__code__)
    except (OSError, TypeError, IndexError) as exc:
        raise SourceUnavailableError(
            f"the source of {target.__qualname__} is not available ({exc}); srcgrad reads a function's "
            "source to transform it. Define it in a file (not an exec string or the bare REPL), "
            "or register a rule for it with srcgrad.defvjp.") from None
    filename = inspect.getsourcefile(target) or target.__code__.co_filename
    return lines, start, filename


# --- stale source ------------------------------------------------------------------------------------------
#
# srcgrad differentiates the text ``inspect`` returns, but Python runs the code object compiled when the
# module was imported. If the file was edited since, the two differ and the gradient would be the gradient
# of another function. So the text is compiled once per code object and compared with the code that runs.

# id(code) -> (weak reference to code, lines, start, file); an entry goes when its code object does
_VERIFIED: dict[int, tuple[weakref.ref, list[str], int, str]] = {}
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
_CO_NESTED = inspect.CO_NESTED
_PLACEHOLDER = "_srcgrad_enclosing"


def verified_source(target: types.FunctionType) -> tuple[list[str], int, str]:
    """``(lines, first line number, file name)`` of ``target``'s source, checked once per code object to be
    the text ``target.__code__`` was compiled from; later calls (another argument signature, the function as
    a callee) get the same checked lines, whatever happened to the file since.

    Raises ``StaleSourceError`` when the file changed after the function was defined (after a reload, the
    new function object has a new code object, which is checked anew). A stale ``linecache`` entry (the file
    was edited and re-imported within one tick of its modification time) is re-read once before giving up."""
    code = target.__code__
    entry = _VERIFIED.get(id(code))
    if entry is not None and entry[0]() is code:
        return entry[1], entry[2], entry[3]
    lines, start, filename = _read_source(target)
    matches = source_matches_code(lines, code, target.__qualname__)
    if matches is False and _reread_file(filename, code.co_filename):
        lines, start, filename = _read_source(target)
        matches = source_matches_code(lines, code, target.__qualname__)
    if matches is False:
        raise StaleSourceError(
            f"{target.__qualname__} ({filename}:{code.co_firstlineno}): the source text srcgrad reads for this "
            "function is not the code Python runs (compiled, the text gives other bytecode), so its gradient "
            "would be the gradient of another function.\n"
            "  hint: either the file changed after the function was defined: re-import the module "
            "(importlib.reload) or restart; or a tool made this function's code from other text than its own "
            "(hypothesis's @given, an import hook that rewrites code): differentiate the undecorated function.")
    if matches is None:  # text that parses but does not compile: srcgrad's parse and transform say why
        return lines, start, filename
    key = id(code)  # the callback runs before the id can be reused (concurrent first calls: harmless twice)
    _VERIFIED[key] = (weakref.ref(code, lambda _, key=key: _VERIFIED.pop(key, None)), lines, start, filename)
    return lines, start, filename


def _reread_file(*filenames: str) -> bool:
    """Drop ``linecache``'s entries of real files among ``filenames`` (not the ``<...>`` entries registered
    for code compiled from strings) so that the next read comes from disk; whether any was dropped."""
    dropped = False
    for filename in dict.fromkeys(filenames):
        entry = linecache.cache.get(filename)
        if entry is not None and len(entry) == 4 and entry[1] is not None and os.path.exists(filename):
            linecache.cache.pop(filename, None)
            dropped = True
    return dropped


def source_matches_code(lines: list[str], code: types.CodeType, qualname: str | None = None) -> bool | None:
    """Whether compiling ``lines`` (a function's source, as ``inspect`` returns it) gives ``code``; ``None``
    when the text parses but does not compile in the wrappers (then srcgrad's own parse and transform say
    what is wrong with it, or the lambda is not found in it). Text of a ``def`` that does not even parse is
    ``False``: Python compiled ``code`` from text that parsed, so this is other text (a fragment of the
    function after an edit above it moved it: a bare ``SyntaxError`` from the parser otherwise).

    The text is compiled inside wrappers that reproduce where the function was defined (from
    ``co_qualname``; before Python 3.11 from ``qualname``, the function's): the enclosing functions, which
    bind its free variables, and the enclosing classes, whose names mangle ``__private`` names and which
    give ``super()`` its ``__class__`` cell. Before Python 3.11 a code object does not know its class, and
    ``qualname`` may be missing (a nested code object) or another function's (``functools.wraps`` copies
    it): when the text does not match in those wrappers, the class that mangled the code's names is read
    from the names themselves (``__weight`` in the text, ``_Private__weight`` in the code) and the text is
    compiled again inside it. The result is
    compared with :func:`same_code`, which ignores line numbers and column positions (an edit elsewhere in
    the file that only moves the function is not a change of the function) and the file name. A function
    whose code pytest rewrote (``assert`` in a test module) is compared with the text rewritten the same way.

    Comparing bytecode rather than, say, a hash of the text is what makes decorators, comments, blank lines,
    ``from __future__`` imports (their flags are passed to ``compile``) and the text around a lambda
    irrelevant, while any change to what the function computes — a constant, a name, an operator — shows."""
    is_lambda = code.co_name == "<lambda>"
    source = textwrap.dedent("".join(lines))
    texts = [source]
    if is_lambda:
        texts.append("(" + source.strip().rstrip(",") + ")")
    # Python 3.11+: co_qualname names the enclosing class; before, the class is also inferred from the names
    manglers: list[str | None] = [None]
    if not hasattr(code, "co_qualname"):
        manglers += _mangling_classes(source, code)
    compiled = False
    for text in texts:
        for mangler in manglers:
            candidates = _compiled_candidates(text, lines, code, is_lambda and text is not source, qualname,
                                              mangler)
            if candidates is None:
                continue
            compiled = True
            if any(same_code(candidate, code) for candidate in candidates):
                return True
    if compiled:
        return False
    if is_lambda:  # a lambda inside an expression that spans lines: found (or not) by parsing its lines
        return None
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return None


class _MangledNames(NodeTransformer):
    """``self.__w`` → ``self._Model__w`` in a function defined in ``class Model``, as Python's compiler
    does: the generated code lives outside the class, where the short name would not be mangled."""

    def __init__(self, owner: str):
        self.owner = owner

    def _mangled(self, name: str | None) -> str | None:
        if name is None or not name.startswith("__") or name.endswith("__"):
            return name
        return f"_{self.owner}{name}"

    def visit_Name(self, node: gast.Name) -> gast.Name:
        node.id = self._mangled(node.id)
        return node

    def visit_Attribute(self, node: gast.Attribute) -> gast.Attribute:
        self.generic_visit(node)
        node.attr = self._mangled(node.attr)
        return node

    def visit_keyword(self, node: gast.keyword) -> gast.keyword:
        self.generic_visit(node)
        node.arg = self._mangled(node.arg)
        return node


def _mangling_classes(text: str, code: types.CodeType) -> list[str]:
    """Names of the classes that could have mangled ``code``'s private names: ``C`` for each name
    ``_C__x`` of the code (or of a code object inside it) where the text has ``__x``. Only candidates:
    compiling the text inside such a class must still give ``code`` exactly."""
    private = {name for name in re.findall(r"(?<!\w)__\w+", text) if not name.endswith("__")}
    if not private:
        return []
    names: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names, current.co_varnames, current.co_cellvars, current.co_freevars)
        stack.extend(const for const in current.co_consts if isinstance(const, types.CodeType))
    found: set[str] = set()
    for name in names:
        for plain in private:
            owner = name[1:-len(plain)]
            if name.endswith(plain) and name.startswith("_") and owner.isidentifier() \
                    and not owner.startswith("_"):
                found.add(owner)
    return sorted(found)


def _compiled_candidates(text: str, lines: list[str], code: types.CodeType, one_line: bool,
                         qualname: str | None, mangler: str | None = None) -> list[types.CodeType] | None:
    """The code objects compiled from ``text`` (in wrappers like ``code``'s enclosing scopes) that could be
    ``code``: the first function of its name (a ``def``), or the lambdas with its parameters; ``None`` when
    the text does not compile."""
    wrapped = _wrap(text, lines, code, one_line, qualname, mangler)
    flags = code.co_flags & _FUTURE_FLAGS
    try:
        if _rewritten_by_pytest(code):
            compiled = _compile_like_pytest(wrapped, flags)
        else:
            compiled = compile(wrapped, code.co_filename, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    if compiled is None:
        return None
    is_lambda = code.co_name == "<lambda>"
    found: list[types.CodeType] = []
    level = [compiled]
    while level and not (found and not is_lambda):  # level by level: the shallowest def of the name
        level = [const for outer in level for const in outer.co_consts if isinstance(const, types.CodeType)]
        found += [const for const in level
                  if const.co_name == code.co_name and (not is_lambda or _same_parameters(const, code))]
    return found if is_lambda else found[:1]


def _same_parameters(a: types.CodeType, b: types.CodeType) -> bool:
    count = a.co_argcount + a.co_kwonlyargcount + bool(a.co_flags & inspect.CO_VARARGS) \
        + bool(a.co_flags & inspect.CO_VARKEYWORDS)
    return a.co_varnames[:count] == b.co_varnames[:count] and a.co_argcount == b.co_argcount


def _wrap(text: str, lines: list[str], code: types.CodeType, one_line: bool, qualname: str | None,
          mangler: str | None = None) -> str:
    """``text`` nested as ``code`` was: ``def``s for the enclosing functions (binding the free variables in
    the innermost one) and ``class``es for the enclosing classes, from ``co_qualname``; inside a class
    ``mangler`` too, unless the innermost class already mangles as it would. The original lines are kept when
    their indentation leaves room for the wrappers (so multi-line strings keep their text)."""
    parts = (getattr(code, "co_qualname", None) or _qualname_from_constants(code) or qualname
             or code.co_name).split(".")[:-1]
    scopes: list[tuple[str, str]] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        is_function = i + 1 < len(parts) and parts[i + 1] == "<locals>"
        if is_function or not part.isidentifier():
            scopes.append(("def", part if part.isidentifier() else _PLACEHOLDER))
            i += 2 if is_function else 1
        else:
            scopes.append(("class", part))
            i += 1
    if mangler is not None:
        classes = [name for kind, name in scopes if kind == "class"]
        if not classes or classes[-1].lstrip("_") != mangler:
            scopes.append(("class", mangler))
    free = [name for name in code.co_freevars if name != "__class__"]
    if free and not any(kind == "def" for kind, _ in scopes):
        scopes.insert(0, ("def", _PLACEHOLDER))
    if "__class__" in code.co_freevars and not any(kind == "class" for kind, _ in scopes):
        scopes.append(("class", _PLACEHOLDER))
    imports = "".join(f"import _srcgrad_module as {name}\n" for name in sorted(_imported_receivers(code))
                      if name.isidentifier() and not keyword.iskeyword(name))
    if not scopes:
        return imports + text
    innermost_def = max(i for i, (kind, _) in enumerate(scopes) if kind == "def") if free else -1
    first = lines[0] if lines else ""
    indent = first[:len(first) - len(first.lstrip())]
    n = len(scopes)
    if one_line or len(indent) < n:
        indent, body = " " * n, None
    else:
        body = "".join(lines)  # the original lines, at their own indentation
    out = []
    for level, (kind, name) in enumerate(scopes):
        header = f"def {name}():" if kind == "def" else f"class {name}:"
        out.append(indent[:level] + header + "\n")
        if level == innermost_def:
            inner = indent[:level + 1] if level + 1 < n else indent
            out.append(inner + " = ".join([*free, "None"]) + "\n")
    if body is None:  # a parenthesized lambda needs no indentation after its first line
        body = indent + text + "\n" if one_line else textwrap.indent(text, indent)
    return imports + "".join(out) + body


def _qualname_from_constants(code: types.CodeType) -> str | None:
    """Before Python 3.11, ``code``'s qualified name as the functions it makes say: each ``MAKE_FUNCTION``
    of a nested function, lambda or comprehension loads its qualified name, ``<code's>.<locals>.<name>``, as
    a constant. Those constants are compared with the code's, so the wrappers must give the same names: the
    function's ``__qualname__`` may be another's (``functools.wraps`` copies it) or a class name lose the
    leading underscores that mangling strips. ``None`` when ``code`` makes no function."""
    previous = None
    for instruction in dis.get_instructions(code):
        if previous is not None and instruction.opname == "LOAD_CONST" and isinstance(instruction.argval, str) \
                and previous.opname == "LOAD_CONST" and isinstance(previous.argval, types.CodeType):
            suffix = ".<locals>." + previous.argval.co_name
            if instruction.argval.endswith(suffix):
                return instruction.argval[:-len(suffix)]
        previous = instruction
    return None


_LOADS_NAME = frozenset({"LOAD_GLOBAL", "LOAD_FAST", "LOAD_DEREF", "LOAD_NAME", "LOAD_CLASSDEREF", "LOAD_FAST_CHECK",
                         "LOAD_FAST_AND_CLEAR", "LOAD_FAST_BORROW"})
# Python 3.13+ fuses two local loads, or a store and a load, into one instruction whose argval is the pair of
# names; the name loaded last is the receiver of an attribute load that follows
_LOADS_PAIR = frozenset({"LOAD_FAST_LOAD_FAST", "STORE_FAST_LOAD_FAST", "LOAD_FAST_BORROW_LOAD_FAST_BORROW",
                         "STORE_FAST_LOAD_FAST_BORROW"})
_METHOD_BIT = sys.version_info >= (3, 12)  # LOAD_ATTR's low bit marks a method load (LOAD_METHOD before)


def _loaded_name(instruction: dis.Instruction) -> str | None:
    """The name an instruction leaves on top of the stack, for loads of a variable."""
    if instruction.opname in _LOADS_NAME and isinstance(instruction.argval, str):
        return instruction.argval
    if instruction.opname in _LOADS_PAIR and isinstance(instruction.argval, tuple) and instruction.argval \
            and isinstance(instruction.argval[-1], str):
        return instruction.argval[-1]
    return None


def _imported_receivers(code: types.CodeType) -> set[str]:
    """Names the module bound with ``import`` that ``code`` calls methods on, as far as its bytecode shows.

    CPython compiles ``np.sin(x)`` differently when the module's top level imports ``np`` (an attribute load
    and a call, not ``LOAD_METHOD``), so compiling a function's text alone would not give its code. A name
    that ``code`` loads an attribute from but never calls a method of through ``LOAD_METHOD`` is compiled as
    imported: for the genuine text that changes nothing else (the mark only decides how method calls on that
    name compile), so a mismatch still means a different function."""
    attributes: set[str] = set()
    methods: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        receiver = None  # the name the previous instruction loaded
        for instruction in dis.get_instructions(current):
            if receiver is not None:
                if instruction.opname == "LOAD_METHOD" or (
                        _METHOD_BIT and instruction.opname == "LOAD_ATTR" and (instruction.arg or 0) & 1):
                    methods.add(receiver)
                elif instruction.opname == "LOAD_ATTR":
                    attributes.add(receiver)
            receiver = _loaded_name(instruction)
        stack.extend(const for const in current.co_consts if isinstance(const, types.CodeType))
    return attributes - methods


def _rewritten_by_pytest(code: types.CodeType) -> bool:
    return "@pytest_ar" in code.co_names or any(
        name.startswith("@py_assert") for name in code.co_varnames) or any(
        isinstance(const, types.CodeType) and _rewritten_by_pytest(const) for const in code.co_consts)


def _compile_like_pytest(text: str, flags: int) -> types.CodeType | None:
    """``text`` compiled with pytest's assertion rewriting, as pytest compiles test modules."""
    rewrite = sys.modules.get("_pytest.assertion.rewrite")
    if rewrite is None:
        return None
    tree = ast.parse(text)
    rewrite.rewrite_asserts(tree, text.encode(), None, None)
    return compile(tree, "<srcgrad check>", "exec", flags=flags, dont_inherit=True)


def same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Whether two code objects do the same thing: bytecode, constants (code objects among them compared
    the same way), names, variables, argument counts, flags and exception table, but not line numbers,
    column positions, the file name or the qualified name (which the wrappers may change)."""
    return (a.co_code == b.co_code and a.co_names == b.co_names and a.co_varnames == b.co_varnames
            and a.co_freevars == b.co_freevars and a.co_cellvars == b.co_cellvars and a.co_name == b.co_name
            and a.co_argcount == b.co_argcount and a.co_posonlyargcount == b.co_posonlyargcount
            and a.co_kwonlyargcount == b.co_kwonlyargcount
            and (a.co_flags & ~_CO_NESTED) == (b.co_flags & ~_CO_NESTED)
            and getattr(a, "co_exceptiontable", None) == getattr(b, "co_exceptiontable", None)
            and len(a.co_consts) == len(b.co_consts)
            and all(_same_constant(x, y) or _both_first_lines(a, b, x, y) for x, y in zip(a.co_consts, b.co_consts)))


def _both_first_lines(a: types.CodeType, b: types.CodeType, x: Any, y: Any) -> bool:
    """A class body's ``__firstlineno__`` (Python 3.13+) stores its line number as a constant: a line
    number, which the comparison ignores."""
    return "__firstlineno__" in a.co_names and (x, y) == (a.co_firstlineno, b.co_firstlineno)


def _same_constant(x: Any, y: Any) -> bool:
    if type(x) is not type(y):
        return False
    if isinstance(x, types.CodeType):
        return same_code(x, y)
    if isinstance(x, tuple):
        return len(x) == len(y) and all(_same_constant(p, q) for p, q in zip(x, y))
    if isinstance(x, (float, complex)):
        return repr(x) == repr(y)  # -0.0 is not 0.0, nan is nan
    return bool(x == y)


def _lambda_as_def(source: str, target: Callable) -> gast.FunctionDef | None:
    """The lambda ``target`` as ``def <lambda>(params): return body``, found in its source lines by its
    parameter names; ``None`` when the lines hold no such lambda or several that match."""
    try:
        tree = gast.parse(source)
    except SyntaxError:
        try:
            tree = gast.parse("(" + source.strip().rstrip(",") + ")")
        except SyntaxError:
            return None
    params = list(inspect.signature(target, follow_wrapped=False).parameters)
    found = [n for n in walk(tree) if isinstance(n, gast.Lambda) and parameter_names(n.args) == params]
    if len(found) != 1:
        return None
    lam = found[0]
    body = [gast.copy_location(gast.Return(lam.body), lam.body)]
    node = gast.FunctionDef("<lambda>", lam.args, body, [], None, None)
    return gast.copy_location(node, lam)


def parameter_names(args: gast.arguments) -> list[str]:
    """Parameter names in the order of ``inspect.Signature.parameters``."""
    star = [args.vararg] if args.vararg is not None else []
    double_star = [args.kwarg] if args.kwarg is not None else []
    return [a.id for a in [*args.posonlyargs, *args.args, *star, *args.kwonlyargs, *double_star]]

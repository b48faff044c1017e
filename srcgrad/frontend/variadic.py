"""Variadic parameters and star-arguments, specialized to the call's arity.

Generated code takes one value per parameter, in signature order (``srcgrad.binding``): a ``*args``
parameter receives the tuple of extra positional arguments and a ``**kwargs`` parameter the dict of extra
keyword arguments, both as containers whose cotangents have the same structure. Keyword-only and
positional-only parameters become ordinary ones. This pass rewrites the signature accordingly and, since
code is generated per argument signature, expands ``f(*args)`` and ``f(**kwargs)`` into explicit
arguments using the lengths and keys of the example arguments: ``f(*args)`` with a 2-tuple becomes
``f(args[0], args[1])``, and the transformer differentiates element reads as it does for any tuple."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gast

from ..analysis.walk import walk
from ..visitors import NodeTransformer
from .parse import ParsedFunction

NO_EXAMPLE = object()


def has_variadic_signature(node: gast.FunctionDef) -> bool:
    """Whether ``node``'s signature has anything but plain positional parameters."""
    args = node.args
    return bool(args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs)


def flatten_signature(parsed: ParsedFunction) -> list[str]:
    """Rewrite ``parsed.node``'s parameters into one positional parameter each, in signature order (the
    order of ``inspect.Signature.parameters``), and return their names."""
    args = parsed.node.args
    params = list(args.posonlyargs) + list(args.args)
    if args.vararg is not None:
        params.append(args.vararg)
    params += list(args.kwonlyargs)
    if args.kwarg is not None:
        params.append(args.kwarg)
    for param in params:
        param.annotation = None
    args.posonlyargs, args.args, args.vararg, args.kwonlyargs, args.kwarg = [], params, None, [], None
    args.kw_defaults, args.defaults = [], []
    return [p.id for p in params]


# The name the star calls this pass makes call, bound to ``runtime.call_star`` by ``desugar``.
CALL_STAR = "__srcgrad_call_star__"


class ExpandStarArguments(NodeTransformer):
    """``f(*xs)`` → ``f(xs[0], …, xs[n-1])`` and ``f(**kw)`` → ``f(a=kw['a'], …)`` where ``xs``/``kw``
    is a parameter that the body never reassigns and whose example is a tuple/list/dict (so its length or
    keys are part of the signature the code is specialized for); a tuple or list display is spread in
    place, and so is a dict display with string keys. ``kw.get('a', default)`` on such a dict becomes
    ``kw['a']`` or ``default``. One star-argument of any other value, whose length only the run knows, makes
    the call ``call_star(f, before, value, after)``; anything else is an error naming the expression."""

    def __init__(self, parsed: ParsedFunction, examples: Mapping[str, Any]):
        self.parsed = parsed
        assigned = {n.id for n in walk(parsed.node) if isinstance(n, gast.Name)
                    and isinstance(n.ctx, gast.Store)}
        self.sequences = {p: len(v) for p, v in examples.items() if isinstance(v, (tuple, list)) and p not in assigned}
        self.mappings = {p: tuple(v) for p, v in examples.items() if isinstance(v, dict) and p not in assigned
                         and all(isinstance(k, str) for k in v)}

    def visit_Call(self, node: gast.Call) -> gast.AST:
        self.generic_visit(node)
        getter = self._dict_get(node)
        if getter is not None:
            return getter
        opaque = [a for a in node.args if isinstance(a, gast.Starred) and not self._spreadable(a.value)]
        if len(opaque) == 1 and not node.keywords:
            return self._star_call(node, opaque[0])
        args: list[gast.expr] = []
        for arg in node.args:
            args += self._spread(arg.value) if isinstance(arg, gast.Starred) else [arg]
        keywords: list[gast.keyword] = []
        for keyword in node.keywords:
            keywords += self._spread_keywords(keyword.value) if keyword.arg is None else [keyword]
        seen = [k.arg for k in keywords]
        repeated = sorted({k for k in seen if seen.count(k) > 1})
        if repeated:
            raise self.parsed.error(node, f"the call passes the keyword argument(s) {repeated} more than once")
        node.args, node.keywords = args, keywords
        return node

    def _spreadable(self, value: gast.expr) -> bool:
        return isinstance(value, (gast.Tuple, gast.List)) or (isinstance(value, gast.Name)
                                                              and value.id in self.sequences)

    def _star_call(self, node: gast.Call, star: gast.Starred) -> gast.Call:
        """``f(a, *s, b)`` with ``s`` of a length only the run knows → ``call_star(f, (a,), s, (b,))``."""
        at = node.args.index(star)
        parts: list[list[gast.expr]] = [[], []]
        for side, args in ((0, node.args[:at]), (1, node.args[at + 1:])):
            for arg in args:
                parts[side] += self._spread(arg.value) if isinstance(arg, gast.Starred) else [arg]
        before, after = (gast.copy_location(gast.Tuple(p, gast.Load()), node) for p in parts)
        return gast.copy_location(gast.Call(gast.Name(CALL_STAR, gast.Load(), None, None),
                                            [node.func, before, star.value, after], []), node)

    def _spread(self, value: gast.expr) -> list[gast.expr]:
        if isinstance(value, (gast.Tuple, gast.List)):
            return list(value.elts)
        if isinstance(value, gast.Name) and value.id in self.sequences:
            return [gast.copy_location(_element(value.id, gast.Constant(i, None)), value)
                    for i in range(self.sequences[value.id])]
        raise self.parsed.error(value, "star-arguments are supported for a *args parameter, a tuple or list "
                                "parameter, or a tuple display",
                                "unpack into names first, e.g. a, b = pair; f(a, b)")

    def _spread_keywords(self, value: gast.expr) -> list[gast.keyword]:
        if isinstance(value, gast.Dict) and all(isinstance(k, gast.Constant) and isinstance(k.value, str)
                                                 for k in value.keys):
            return [gast.keyword(k.value, v) for k, v in zip(value.keys, value.values)]
        if isinstance(value, gast.Name) and value.id in self.mappings:
            return [gast.keyword(key, gast.copy_location(_element(value.id, gast.Constant(key, None)), value))
                    for key in self.mappings[value.id]]
        raise self.parsed.error(value, "**-arguments are supported for a **kwargs parameter, a dict parameter "
                                "or a dict display with string keys", "pass the keyword arguments explicitly")

    def _dict_get(self, node: gast.Call) -> gast.expr | None:
        func = node.func
        if not (isinstance(func, gast.Attribute) and func.attr == "get" and isinstance(func.value, gast.Name)
                and func.value.id in self.mappings and not node.keywords and 1 <= len(node.args) <= 2
                and isinstance(node.args[0], gast.Constant)):
            return None
        key = node.args[0].value
        if key in self.mappings[func.value.id]:
            return gast.copy_location(_element(func.value.id, gast.Constant(key, None)), node)
        return node.args[1] if len(node.args) == 2 else gast.copy_location(gast.Constant(None, None), node)


def _element(container: str, index: gast.expr) -> gast.Subscript:
    return gast.Subscript(gast.Name(container, gast.Load(), None, None), index, gast.Load())


def specialize_signature(parsed: ParsedFunction, examples: Sequence[Any] | None) -> list[str]:
    """Flatten the signature and expand star-arguments for ``examples`` (one value per parameter, in
    signature order). Without examples a variadic function cannot be specialized: that is an error."""
    node = parsed.node
    if has_variadic_signature(node) and examples is None:
        raise parsed.error(node, f"{node.name} has *args, **kwargs, keyword-only or positional-only parameters, "
                           "so its code depends on the call's arguments",
                           "call the differentiated function (or pass example arguments to show)")
    params = flatten_signature(parsed)
    if examples is not None and len(examples) != len(params) and has_variadic_signature(node):
        raise parsed.error(node, f"{node.name} takes *args, **kwargs or keyword-only arguments, which this entry "
                           "point does not bind", "differentiate a function of plain parameters that calls it, "
                           "e.g. lambda x: f(x, ...)")
    examples_by_name = dict(zip(params, examples)) if examples is not None else {}
    parsed.node = ExpandStarArguments(parsed, examples_by_name).visit(node)
    return params

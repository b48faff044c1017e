"""The graph's nodes: one ``grad_fn`` class per PyTorch backward-node name, plus ``AccumulateGrad``.

A node does not know any derivative itself. It keeps the NumPy primal's rule from the shared table
(``srcgrad.rules``) and the arrays the forward call received, and ``apply`` calls that rule: the Tensor
shim and the source transformer can never disagree about a derivative. The class exists for its *name*
(what ``grad_fn`` prints), and to say whether PyTorch would have saved tensors for it: only such nodes
forget their inputs after a ``backward`` without ``retain_graph`` and refuse a second one.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
import types
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules.registry import Rule, vjp_rule
from ..rules.shim_rules import view_of
from . import messages
from .dtypes import from_numpy
from .saved_hooks import HOOKS, OPEN


class Tensors:
    """How nodes make tensors: ``tensor.py``, which builds on this module, registers its constructors here
    when it is imported (``wrap``: a tensor of an array; ``result``: one with a grad_fn; ``data_of``: the
    array behind a tensor or a number)."""

    wrap: Callable[[np.ndarray], Any]
    result: Callable[[np.ndarray, Any], Any]
    data_of: Callable[[Any], np.ndarray]


TENSORS = Tensors()
_sequence = itertools.count()
NO_KWARGS: dict = {}


# How a rule's partials map onto a node's edges (the ``pick`` of ``derivative``).
ONLY = object()  # the rule returns one partial, for the node's single edge
ALL = object()  # the rule returns a tuple with one partial per edge, in edge order
SPREAD = object()  # the rule returns one list, spread over the node's edges (cat, stack)


class Pruned:
    """A ``pick`` for a node some of whose inputs need no gradient: ``function`` is the rule with the
    partials of those inputs replaced by ``None`` in its returned tuple, so that they are never computed
    (PyTorch skips them by ``needs_input_grad``; ``x @ w`` with data ``x`` costs one product, not two).
    ``picked``: the positions of the node's edges among the rule's partials, where the node has edges for
    only some of the rule's arguments (``x ** 2`` has none for the exponent); None when it has all."""

    __slots__ = ("function", "picked")

    def __init__(self, function: Callable, picked: tuple[int, ...] | None = None):
        self.function, self.picked = function, picked


_PRUNED: dict[tuple, Any] = {}


def only_partials(rule: Rule, wanted: tuple[bool, ...]) -> Callable | None:
    """The rule's function returning only the ``wanted`` partials, rebuilt from its source; None when its
    body does not end in one tuple of per-argument partials."""
    function = rule.function
    if function.__code__.co_freevars or hasattr(function, "__wrapped__"):
        return None   # a closure's cells, or a decorator's wrapper: the source alone is not the function
    try:
        node = ast.parse(textwrap.dedent(inspect.getsource(rule.function))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(node, ast.FunctionDef) or not node.body or not isinstance(node.body[-1], ast.Return):
        return None
    result = node.body[-1].value
    if not isinstance(result, ast.Tuple) or len(result.elts) != len(wanted) or any(
            isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom)) for stmt in node.body[:-1] for n in ast.walk(stmt)):
        return None
    result.elts = [e if w else ast.Constant(None) for e, w in zip(result.elts, wanted)]
    node.decorator_list, node.name = [], "only_partials"
    module = compile(ast.fix_missing_locations(ast.Module([node], [])),
                     inspect.getsourcefile(rule.function) or "<rule>", "exec")
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    # the rule's own code, minus the partials nobody reads, reading the rule's module as it is at each call
    function = types.FunctionType(code, rule.function.__globals__, "only_partials", rule.function.__defaults__)
    function.__kwdefaults__ = rule.function.__kwdefaults__
    return function


def pruned(how: tuple, edges: tuple) -> tuple:
    """``how``, or, when some edges lead nowhere or the node has edges for only some of the rule's
    arguments, a ``Pruned`` pick that computes only the partials the edges need. Cached by the rule's
    identity (a rule's hash reads every field of its record: too slow for once per operation), checked
    against the rule itself in case a replaced rule's id is reused."""
    rule, pick = how
    if type(pick) is tuple:
        key: tuple = ("some", id(rule), pick)
        found = _PRUNED.get(key)
        if found is None or found[0] is not rule:
            function = only_partials(rule, tuple(i in pick for i in range(len(rule.argnums))))
            found = _PRUNED[key] = how if function is None else (rule, Pruned(function, pick))
        return found
    if pick is not ALL:
        return how
    wanted = tuple([node is not None for node, _ in edges])
    if False not in wanted:
        return how
    key = (id(rule), wanted)
    found = _PRUNED.get(key)
    if found is None or found[0] is not rule:
        function = only_partials(rule, wanted)
        found = _PRUNED[key] = how if function is None else (rule, Pruned(function))
    return found


def derivative(primal: Any, partials: tuple | None = (0,)) -> tuple:
    """``(rule, pick)`` for a node whose edges receive the ``partials`` (indices into the rule's
    differentiable arguments; None: one list for all edges) of ``primal``'s rule from the shared table.
    Resolved once per operation, so that applying a node is one call of the rule's function."""
    rule = vjp_rule(primal)
    if rule is None:
        raise LookupError(f"no derivative rule registered for {primal!r}")
    if partials is None:
        return rule, SPREAD
    count = len(rule.argnums)
    if count == 1 and partials == (0,):
        return rule, ONLY
    if count > 1 and partials == tuple(range(count)):
        return rule, ALL
    return rule, tuple(partials)


def made_for(kind: type, edges: tuple, how: tuple, args: tuple, ans: Any) -> Node:
    """``kind(edges, how, args, ans)`` for an operation that has already chosen ``how`` for its edges (a
    binary operator, once per operator: ``pruned``), without ``Node.__init__``'s choice and call: on every
    recorded arithmetic operation the call alone costs a tenth of the shim's overhead. The fields are
    ``__init__``'s."""
    node = _new_object(kind)
    node.next_functions, node._seq, node._how = edges, next(_sequence), how
    node._args, node._kwargs, node._ans, node._saved, node._hooks = args, NO_KWARGS, ans, None, None
    if OPEN[0] and HOOKS.stack:
        node.__class__ = _hooked(kind)
        node._saved_entries = node._packed = None
    return node


_new_object = object.__new__


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` unregisters the hook again."""

    __slots__ = ("_hook", "_hooks")

    def __init__(self, hooks: list, hook: Callable):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Node:
    """A recorded operation: ``next_functions`` are the edges to the nodes of its inputs."""

    __slots__ = (
        "__weakref__",
        "_ans",
        "_args",
        "_hooks",
        "_how",
        "_kwargs",
        "_packed",
        "_saved",
        "_saved_entries",
        "_seq",
        "next_functions",
    )
    saves = False  # whether PyTorch keeps tensors for this node (and frees them after backward)
    multi = False  # whether the node has several outputs (unbind): its gradient is then a list, one per output
    hooked = False  # whether it was recorded inside saved_tensors_hooks (``_hooked``)

    def __init__(self, edges: tuple, how: tuple, args: tuple, ans: Any, kwargs: dict = NO_KWARGS):
        self.next_functions = edges  # ((node or None, 0), ...), one per differentiable input
        self._seq = next(_sequence)  # creation order: the engine runs later nodes first
        # (rule, pick) from derivative(): the primal's rule and how its partials map
        pick = how[1]
        if pick is ALL:   # (the loop is the common case's fast path: every edge leads somewhere)
            for node, _ in edges:
                if node is None:
                    how = pruned(how, edges)
                    break
        elif type(pick) is tuple:
            how = pruned(how, edges)
        self._how = how
        self._args, self._kwargs, self._ans = args, kwargs, ans  # what the primal received and returned
        self._saved = None  # (version cell, version, tensor or None), ... to check before applying
        if OPEN[0] and HOOKS.stack:   # recorded inside saved_tensors_hooks: a class that packs what it keeps
            self.__class__ = _hooked(type(self))
            self._saved_entries = self._packed = None
        # {"tensor": [...], "retain": weakref, "pre": [...], "post": [...]}; for a node with several outputs,
        # ("tensor", k) and ("retain", k) per output
        self._hooks = None

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def unpack_saved(self) -> None:
        """Run the unpack hooks (before the backward reads what the node kept) and use what they return."""
        unpack, packed = self._packed
        for value, tensor in packed:
            data = TENSORS.data_of(unpack(value))
            if tensor is None:
                self._ans = data
            elif data is not tensor._data:
                self._args = tuple(data if a is tensor._data else a for a in self._args)

    @property
    def metadata(self) -> dict:
        return self._hook_lists().setdefault("metadata", {})

    def apply(self, grad: Any) -> list:
        """Cotangents for ``next_functions`` given the cotangent of this node's output."""
        args = self._args
        if args is None:
            raise RuntimeError(messages.SECOND_BACKWARD)
        saved = self._saved
        if saved is not None:
            if len(saved) != 3 or saved[0][0] != saved[1]:   # (one tensor kept, unchanged: the common case)
                check_saved(self)
            if self.hooked and self._packed is not None:
                self.unpack_saved()
                args = self._args
        rule, pick = self._how
        if self.multi:   # one gradient per output, None for an output nothing reached
            grad = tuple(grad)
        kwargs = self._kwargs
        if type(pick) is Pruned:
            function = pick.function
            if kwargs:
                partials = function(grad, self._ans, *args, **kwargs)
            elif len(args) == 2:   # (a binary operator's: without building the call's argument tuple)
                partials = function(grad, self._ans, args[0], args[1])
            else:
                partials = function(grad, self._ans, *args)
            return partials if pick.picked is None else [partials[i] for i in pick.picked]
        # Rule.partials, minus its checks
        function = rule.function
        if kwargs:
            partials = function(grad, self._ans, *args, **kwargs)
        elif len(args) == 2:
            partials = function(grad, self._ans, args[0], args[1])
        else:
            partials = function(grad, self._ans, *args)
        if pick is ONLY:
            return (partials,)
        if pick is ALL:
            return partials
        if pick is SPREAD:
            return list(partials)
        return [partials[i] for i in pick]

    @property
    def rule(self) -> Rule:
        """The rule from the table that this node applies."""
        return self._how[0]

    def release(self) -> None:
        """Forget the saved values (``backward`` without ``retain_graph``), as PyTorch frees them."""
        self._args = self._ans = self._saved = None
        if self.hooked:
            self._packed = None

    def __call__(self, *grads: Any) -> tuple:
        results = self.apply(TENSORS.data_of(grads[0]))
        return tuple(None if r is None or fn is None else TENSORS.wrap(np.asarray(r))
                     for r, (fn, _) in zip(results, self.next_functions))

    def _hook_lists(self) -> dict:
        if self._hooks is None:
            self._hooks = {}
        return self._hooks

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node has computed its input gradients."""
        hooks = self._hook_lists().setdefault("post", [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; it may return replacement gradients."""
        hooks = self._hook_lists().setdefault("pre", [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)


def _keep_packed(node: Node, entries: tuple | None) -> None:
    """The ``_saved`` setter of a node recorded inside ``saved_tensors_hooks``: the first time it keeps
    something, each tensor (its output: a tensor of it) is packed by the innermost hooks."""
    node._saved_entries = entries
    if entries and node._packed is None:
        pack, unpack = HOOKS.stack[-1]
        tensors = [entries[i] for i in range(2, len(entries), 3)]
        node._packed = (unpack, [(pack(TENSORS.result(node._ans, node) if t is None else t), t) for t in tensors])


_HOOKED: dict[type, type] = {}


def _hooked(kind: type) -> type:
    """``kind`` for a node recorded inside ``saved_tensors_hooks``: the same name, and a ``_saved`` that
    packs. (Other nodes keep ``_saved`` as a plain slot: the hooks cost nothing where they are not used.)"""
    found = _HOOKED.get(kind)
    if found is None:
        found = _HOOKED[kind] = type(kind.__name__, (kind,), {
            "__slots__": (), "hooked": True, "__module__": kind.__module__, "__qualname__": kind.__qualname__,
            "_saved": property(lambda node: node._saved_entries, _keep_packed)})
    return found


# What a node keeps, by PyTorch's attribute names: an argument's position (the tensor the node saved, a
# number as a 0-d float64 tensor), the output (RESULT_VALUE), an argument's number as it is (("number", k))
# or an argument's shape (("sizes", k)); ("if", what, k): kept only when input k needs a gradient (None
# otherwise, before and after backward). Elementwise nodes are added from the rule table's records
# (``pointwise._declared_unary``).
RESULT_VALUE = "result"
SAVED_NAMES: dict[str, dict[str, Any]] = {}


def _saved_attribute(name: str) -> property:
    """``grad_fn._saved_self``, ``_saved_other``, ``_saved_result``, ...: what a node keeps for its backward,
    under PyTorch's names, for the node classes ``SAVED_NAMES`` declares it on (others raise AttributeError).

    A property on ``Node`` rather than a ``__getattr__``: a class with ``__getattr__`` makes every attribute
    read of every node take the slow generic path (the interpreter cannot specialise it), and the engine
    reads a dozen node attributes per node."""
    def read(node: Node) -> Any:
        where = SAVED_NAMES.get(type(node).__name__, {}).get(name)
        if where is None:
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
        if isinstance(where, tuple) and where[0] == "if":   # kept only for the gradient of another input
            _, where, needed_by = where
            if node.next_functions[needed_by][0] is None:
                return None
        if node._args is None:
            raise RuntimeError(messages.SECOND_BACKWARD)
        return saved_value(node, where)
    return property(read)


def declare_saved(node_name: str, where_by_attribute: dict[str, Any]) -> None:
    """Declare what the nodes named ``node_name`` show under PyTorch's ``_saved_*`` names (see above)."""
    SAVED_NAMES[node_name] = where_by_attribute
    for attribute in where_by_attribute:
        if not isinstance(Node.__dict__.get(attribute), property):
            setattr(Node, attribute, _saved_attribute(attribute))


declare_saved("MulBackward0", {"_saved_self": ("if", 0, 1), "_saved_other": ("if", 1, 0)})
declare_saved("DivBackward0", {"_saved_self": ("if", 0, 1), "_saved_other": 1})
declare_saved("MmBackward0", {"_saved_self": 0, "_saved_mat2": 1})
declare_saved("PowBackward0", {"_saved_self": 0, "_saved_exponent": ("number", 1)})
declare_saved("PowBackward1", {"_saved_self": 0, "_saved_exponent": 1, "_saved_result": RESULT_VALUE})
declare_saved("SumBackward0", {"_saved_self_sym_sizes": ("sizes", 0)})


def _as_saved(unpacked: Any, tensor: Any, node: Node) -> Any:
    """What an unpack hook returned, as PyTorch gives it back: as it is when the saved tensor does not
    require grad; otherwise a new tensor over its data with the saved tensor's autograd identity: a leaf
    that requires grad (whose gradient reaches the saved leaf's ``.grad``), an intermediate with its
    grad_fn, the node's own output (``tensor`` None) with the node."""
    if tensor is not None and not tensor._rg:
        return unpacked
    data = TENSORS.data_of(unpacked)
    fn = node if tensor is None else tensor._grad_fn
    if fn is not None:
        return TENSORS.result(data, fn)
    value = TENSORS.wrap(data)
    value._requires, value._accum = True, weakref.ref(tensor._accumulator())
    return value


def saved_value(node: Node, where: Any) -> Any:
    """One of the values ``SAVED_NAMES`` describes (see there)."""
    if where == RESULT_VALUE:
        if node.hooked and node._packed is not None:
            unpack, packed = node._packed
            return _as_saved(unpack(next(p for p, t in packed if t is None)), None, node)
        return TENSORS.result(np.asarray(node._ans), node)
    if isinstance(where, tuple):
        kind, position = where
        value = node._args[position]
        return tuple(np.shape(value)) if kind == "sizes" else value
    value = node._args[where]
    saved = node._saved or ()
    for i in range(2, len(saved), 3):
        tensor = saved[i]
        if tensor is not None and tensor._data is value:
            if node.hooked and node._packed is not None:   # read through the unpack hook, as PyTorch reads it
                unpack, packed = node._packed
                return _as_saved(unpack(next(p for p, t in packed if t is tensor)), tensor, node)
            return tensor
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return TENSORS.wrap(np.asarray(value, dtype=np.float64 if isinstance(value, float) else np.int64))
    return None


class AccumulateGrad:
    """The sink for a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("__weakref__", "_hooks", "variable")
    saves = multi = False
    next_functions = ()   # (a leaf's sink leads nowhere; the engine orders only the other nodes, by ``_seq``)

    def __init__(self, variable: Any):
        self.variable = variable
        self._hooks = None

    __repr__ = Node.__repr__
    register_hook = Node.register_hook
    register_prehook = Node.register_prehook
    _hook_lists = Node._hook_lists
    metadata = Node.metadata

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def release(self) -> None:
        pass


def check_saved(node: Node) -> None:
    """Raise PyTorch's error when a tensor the node saved was modified in place after the forward."""
    saved = node._saved
    for i in range(0, len(saved), 3):
        if saved[i][0] != saved[i + 1]:
            _modified(node, *saved[i:i + 3])


def _modified(node: Node, cell: list, version: int, tensor: Any) -> None:
    """PyTorch's error for a saved tensor (None: the node's own output) changed in place since."""
    if tensor is None:  # the node's own output
        array, origin = node._ans, node_origin(node)
    else:
        array = tensor._data
        origin = node_origin(tensor._grad_fn) if tensor._grad_fn is not None else ""
    raise RuntimeError(messages.MODIFIED_SAVED.format(
        type=f"torch.{from_numpy(array.dtype).legacy_name}", sizes=list(array.shape), origin=origin,
        now=cell[0], saved=version))


def node_origin(node: Any) -> str:
    """The ", which is output 0 of Mul," part of the modified-saved-tensor message."""
    name = "torch::autograd::CopySlices" if type(node).__name__ == "CopySlices" else \
        re.sub(r"Backward\d*$", "", type(node).__name__)
    return f", which is output 0 of {name},"


_KINDS: dict[str, type] = {}


def _kind(name: str, saves: bool) -> type:
    """A node class with PyTorch's name; ``__module__`` is "builtins" so that ``type(y.grad_fn)`` prints
    ``<class 'MulBackward0'>`` exactly as PyTorch's C++ classes do. One class per name."""
    if name not in _KINDS:
        _KINDS[name] = type(name, (Node,), {"__slots__": (), "saves": saves, "__module__": "builtins",
                                            "__qualname__": name})
    return _KINDS[name]


def kind(name: str, saves: bool) -> type:
    """The node class named ``name`` (a primitive's ``TorchOp.node``), made on first use."""
    return _kind(name, saves)


# Nodes PyTorch frees after backward (they save tensors) ...
MulBackward0 = _kind("MulBackward0", True)
DivBackward0 = _kind("DivBackward0", True)
PowBackward0 = _kind("PowBackward0", True)
PowBackward1 = _kind("PowBackward1", True)
PowBackward2 = _kind("PowBackward2", True)
DotBackward0 = _kind("DotBackward0", True)
MvBackward0 = _kind("MvBackward0", True)
MmBackward0 = _kind("MmBackward0", True)
BmmBackward0 = _kind("BmmBackward0", True)
ExpBackward0 = _kind("ExpBackward0", True)
LogBackward0 = _kind("LogBackward0", True)
SinBackward0 = _kind("SinBackward0", True)
CosBackward0 = _kind("CosBackward0", True)
TanBackward0 = _kind("TanBackward0", True)
TanhBackward0 = _kind("TanhBackward0", True)
SigmoidBackward0 = _kind("SigmoidBackward0", True)
ReluBackward0 = _kind("ReluBackward0", True)
AbsBackward0 = _kind("AbsBackward0", True)
SqrtBackward0 = _kind("SqrtBackward0", True)
ReciprocalBackward0 = _kind("ReciprocalBackward0", True)
Log1PBackward0 = _kind("Log1PBackward0", True)
Expm1Backward0 = _kind("Expm1Backward0", True)
ClampBackward0 = _kind("ClampBackward0", True)
ClampBackward1 = _kind("ClampBackward1", True)
MaxBackward0 = _kind("MaxBackward0", True)
MaxBackward1 = _kind("MaxBackward1", True)
MinBackward0 = _kind("MinBackward0", True)
MinBackward1 = _kind("MinBackward1", True)
MaximumBackward0 = _kind("MaximumBackward0", True)
MinimumBackward0 = _kind("MinimumBackward0", True)
LinalgVectorNormBackward0 = _kind("LinalgVectorNormBackward0", True)
IndexBackward0 = _kind("IndexBackward0", True)
IndexPutBackward0 = _kind("IndexPutBackward0", True)
WhereBackward0 = _kind("WhereBackward0", True)
ProdBackward0 = _kind("ProdBackward0", True)
ProdBackward1 = _kind("ProdBackward1", True)
# ... and nodes that keep only sizes and scalars, so a second backward through them works.
AddBackward0 = _kind("AddBackward0", False)
SubBackward0 = _kind("SubBackward0", False)
RsubBackward0 = _kind("RsubBackward0", False)
RsubBackward1 = _kind("RsubBackward1", False)
NegBackward0 = _kind("NegBackward0", False)
SumBackward0 = _kind("SumBackward0", False)
SumBackward1 = _kind("SumBackward1", False)
MeanBackward0 = _kind("MeanBackward0", False)
MeanBackward1 = _kind("MeanBackward1", False)
ViewBackward0 = _kind("ViewBackward0", False)
UnsafeViewBackward0 = _kind("UnsafeViewBackward0", False)
TBackward0 = _kind("TBackward0", False)
PermuteBackward0 = _kind("PermuteBackward0", False)
TransposeBackward0 = _kind("TransposeBackward0", False)
SelectBackward0 = _kind("SelectBackward0", False)
SliceBackward0 = _kind("SliceBackward0", False)
AliasBackward0 = _kind("AliasBackward0", False)
UnsqueezeBackward0 = _kind("UnsqueezeBackward0", False)
CumsumBackward0 = _kind("CumsumBackward0", False)
VarBackward0 = _kind("VarBackward0", True)
StdBackward0 = _kind("StdBackward0", True)
AmaxBackward0 = _kind("AmaxBackward0", True)
AminBackward0 = _kind("AminBackward0", True)
TrilBackward0 = _kind("TrilBackward0", False)
TriuBackward0 = _kind("TriuBackward0", False)
MaskedFillBackward0 = _kind("MaskedFillBackward0", False)
MaskedFillBackward1 = _kind("MaskedFillBackward1", False)
GatherBackward0 = _kind("GatherBackward0", False)
IndexSelectBackward0 = _kind("IndexSelectBackward0", False)
RepeatBackward0 = _kind("RepeatBackward0", False)
FlipBackward0 = _kind("FlipBackward0", False)
UnbindBackward0 = type("UnbindBackward0", (Node,), {"__slots__": (), "saves": False, "multi": True,
                                                   "__module__": "builtins", "__qualname__": "UnbindBackward0"})
_KINDS["UnbindBackward0"] = UnbindBackward0
SqueezeBackward0 = _kind("SqueezeBackward0", False)
SqueezeBackward1 = _kind("SqueezeBackward1", False)
SqueezeBackward2 = _kind("SqueezeBackward2", False)
SqueezeBackward4 = _kind("SqueezeBackward4", False)
ExpandBackward0 = _kind("ExpandBackward0", False)
CloneBackward0 = _kind("CloneBackward0", False)
ToCopyBackward0 = _kind("ToCopyBackward0", False)
CatBackward0 = _kind("CatBackward0", False)
StackBackward0 = _kind("StackBackward0", False)
SignBackward0 = _kind("SignBackward0", False)
ZeroBackward0 = _kind("ZeroBackward0", False)
RemainderBackward0 = _kind("RemainderBackward0", False)
RemainderBackward1 = _kind("RemainderBackward1", True)
FillBackward2 = _kind("FillBackward2", False)
CopyBackwards = _kind("CopyBackwards", False)
AsStridedBackward0 = _kind("AsStridedBackward0", False)


def _not_differentiable(self: Node, grad: Any) -> list:
    raise RuntimeError(f"derivative for aten::{self._args[0]} is not implemented")


# What PyTorch records for an operation it has no derivative of (``x // y``, ``2 % x``): backward fails.
NotImplementedNode = type("NotImplemented", (Node,), {"__slots__": (), "__module__": "builtins",
                                                      "apply": _not_differentiable})


class CopySlices(Node):
    """The base's node after an in-place operation on one of its views (PyTorch's name and structure).

    ``fn`` is the node the operation recorded on the view. Outside the view the base's gradient passes
    through unchanged; inside, it goes through ``fn``, whose gradient for the view's old value is written
    back in place and whose other gradients go to ``fn``'s other inputs. ``steps`` locate the view in the
    base (see ``shim_rules.view_of``).
    """

    __slots__ = ()
    __module__ = "builtins"
    saves = True

    def __init__(self, base_edge: tuple, fn: Node, steps: tuple):
        super().__init__((base_edge, *fn.next_functions[1:]), (None, None), (steps, fn), None)

    def apply(self, grad: Any) -> list:
        if self._args is None:
            raise RuntimeError(messages.SECOND_BACKWARD)
        steps, fn = self._args
        result = np.array(grad, copy=True)
        region = view_of(result, steps)
        grads = fn.apply(np.array(region))
        region[...] = grads[0]
        return [result, *grads[1:]]

    @property
    def rule(self) -> Rule:
        return self._args[1].rule
FillBackward3 = _kind("FillBackward3", False)

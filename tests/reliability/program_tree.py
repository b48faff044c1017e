"""The tree of a random program and its two renderings: NumPy (for ``srcgrad.grad``/``srcgrad.jvp`` and finite
differences) and the ``Tensor`` shim (``import srcgrad as torch``), from one tree so that both compute the same
function. ``programs.py`` draws the trees.

Every value has one of four shapes, so that every generated operation is well typed by construction:
``S`` (a scalar), ``V`` (3,), ``M`` (2, 3) and ``W`` (2,); a list or tuple holds values of one shape (``Seq``).
Values stay in safe domains (``log`` and ``sqrt`` of ``a * a + 1``, division by ``b * b + 1``, ``exp`` of a
``tanh``) so that finite differences are meaningful.

Aliasing is deliberate but controlled (``programs.py`` says how): an array stored in a list or tuple, bound to a
second name or viewed through a slice is the same object in both renderings, and NumPy's in-place updates of it
are rendered in place for the shim too (PyTorch's tensors have the same semantics), so that both renderings see
the update through every name. An array nobody else can see keeps the shim's functional rendering (``y = y + v``,
a write into a clone), which PyTorch never refuses. Scalars are immutable in NumPy (``+=`` rebinds) but 0-d
tensors are not, so a scalar update is always rendered as a rebinding for the shim, and a scalar stored in a
container is a copy that no ``+=`` can reach.

Each rendered line carries the constructs of the statement it comes from (``Line.labels``), so that an error
located at a line names what was refused."""

from __future__ import annotations

from dataclasses import dataclass, field

S, V, M, W = (), (3,), (2, 3), (2,)
DIMS = {V: (3,), M: (2, 3), W: (2,)}


def broadcast(a: tuple, b: tuple) -> tuple:
    return a if len(a) >= len(b) else b


# (left, right) operand shapes whose broadcast is the key
BINARY_SHAPES = {S: [(S, S)], V: [(V, V), (V, S), (S, V)], W: [(W, W), (W, S), (S, W)],
                 M: [(M, M), (M, V), (V, M), (M, S), (S, M)]}


# --- expressions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    name: str
    shape: tuple

    def render(self, mode: str) -> str:
        return self.name


@dataclass(frozen=True)
class Const:
    value: float
    shape: tuple = S

    def render(self, mode: str) -> str:
        return repr(self.value)


@dataclass(frozen=True)
class LoopFactor:
    """The loop counter as a number: ``(i + 1)``, not differentiable, an ``int`` in both renderings."""

    name: str
    shape: tuple = S

    def render(self, mode: str) -> str:
        return f"({self.name} + 1)"


@dataclass(frozen=True)
class Bin:
    op: str
    left: object
    right: object

    @property
    def shape(self) -> tuple:
        return broadcast(self.left.shape, self.right.shape)

    def render(self, mode: str) -> str:
        return f"({self.left.render(mode)} {self.op} {self.right.render(mode)})"


@dataclass(frozen=True)
class SafeDiv:
    left: object
    right: object

    @property
    def shape(self) -> tuple:
        return broadcast(self.left.shape, self.right.shape)

    def render(self, mode: str) -> str:
        b = self.right.render(mode)
        return f"({self.left.render(mode)} / ({b} * {b} + 1.0))"


UNARY = {  # name: (NumPy template, shim template)
    "neg": ("(-{a})", "(-{a})"),
    "sin": ("np.sin({a})", "torch.sin({a})"),
    "cos": ("np.cos({a})", "torch.cos({a})"),
    "tanh": ("np.tanh({a})", "torch.tanh({a})"),
    "exp": ("np.exp(np.tanh({a}))", "torch.exp(torch.tanh({a}))"),
    "log": ("np.log({a} * {a} + 1.0)", "torch.log({a} * {a} + 1.0)"),
    "sqrt": ("np.sqrt({a} * {a} + 1.0)", "torch.sqrt({a} * {a} + 1.0)"),
    "square": ("({a} ** 2)", "({a} ** 2)"),
    "cube": ("({a} ** 3)", "({a} ** 3)"),
    "abs": ("np.abs({a})", "torch.abs({a})"),
}


@dataclass(frozen=True)
class Unary:
    fn: str
    arg: object

    @property
    def shape(self) -> tuple:
        return self.arg.shape

    def render(self, mode: str) -> str:
        template = UNARY[self.fn][0 if mode == "np" else 1]
        return template.format(a=self.arg.render(mode))


@dataclass(frozen=True)
class Reduce:
    """``sum``/``mean`` of everything, or of a matrix along an axis; NumPy as a function or a method."""

    fn: str
    arg: object
    axis: int | None
    method: bool

    @property
    def shape(self) -> tuple:
        if self.axis is None:
            return S
        return (self.arg.shape[1 - self.axis],)

    def render(self, mode: str) -> str:
        a = self.arg.render(mode)
        if mode == "np":
            axis = "" if self.axis is None else f", axis={self.axis}"
            if self.method:
                return f"{a}.{self.fn}({axis[2:]})"
            return f"np.{self.fn}({a}{axis})"
        axis = "" if self.axis is None else str(self.axis)
        return f"{a}.{self.fn}({axis})"


@dataclass(frozen=True)
class MatMul:
    left: object
    right: object
    dot: bool = False

    @property
    def shape(self) -> tuple:
        return {(M, V): W, (V, V): S, (W, M): V}[(self.left.shape, self.right.shape)]

    def render(self, mode: str) -> str:
        if self.dot:  # np.dot / torch.dot of two vectors
            lib = "np" if mode == "np" else "torch"
            return f"{lib}.dot({self.left.render(mode)}, {self.right.render(mode)})"
        return f"({self.left.render(mode)} @ {self.right.render(mode)})"


@dataclass(frozen=True)
class Index:
    """An indexing read; ``index`` is a tuple of ints, loop counters or ``":"``."""

    arg: object
    index: tuple
    shape: tuple

    def render(self, mode: str) -> str:
        return f"{self.arg.render(mode)}[{', '.join(str(i) for i in self.index)}]"


@dataclass(frozen=True)
class Where:
    cond: object
    left: object
    right: object

    @property
    def shape(self) -> tuple:
        return self.cond.shape

    def render(self, mode: str) -> str:
        lib = "np" if mode == "np" else "torch"
        return f"{lib}.where({self.cond.render(mode)} > 0.0, {self.left.render(mode)}, {self.right.render(mode)})"


@dataclass(frozen=True)
class Stacked:
    """``np.sum(np.stack([body for i in range(count)]), axis=0)``: a list comprehension whose body may use
    its counter."""

    var: str
    count: int
    body: object

    @property
    def shape(self) -> tuple:
        return self.body.shape

    def render(self, mode: str) -> str:
        items = f"[{self.body.render(mode)} for {self.var} in range({self.count})]"
        if mode == "np":
            return f"np.sum(np.stack({items}), axis=0)"
        return f"torch.stack({items}).sum(0)"


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple
    shape: tuple

    keywords: bool = False  # pass the arguments by parameter name

    def render(self, mode: str) -> str:
        args = [a.render(mode) for a in self.args]
        if self.keywords:
            args = [f"a{i}={a}" for i, a in enumerate(args)]
        return f"{self.fn}({', '.join(args)})"


# --- lists and tuples -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seq:
    """The type of a list or tuple: its kind, the shape of every element and a lower bound on its length (no
    generated statement ever shortens a sequence a name holds, so a bound seen once holds afterwards)."""

    kind: str  # "list" or "tuple"
    elem: tuple
    length: int


@dataclass(frozen=True)
class SeqName:
    name: str
    seq: Seq

    def render(self, mode: str) -> str:
        return self.name


@dataclass(frozen=True)
class SeqDisplay:
    """``[a, b]``, ``(a,)``, ``[]``."""

    kind: str
    items: tuple
    elem: tuple

    @property
    def seq(self) -> Seq:
        return Seq(self.kind, self.elem, len(self.items))

    def render(self, mode: str) -> str:
        inner = ", ".join(item.render(mode) for item in self.items)
        if self.kind == "list":
            return f"[{inner}]"
        return f"({inner},)" if len(self.items) == 1 else f"({inner})"


@dataclass(frozen=True)
class SeqConcat:
    """``l1 + l2``, ``t + (v,)``: a new sequence whose slots hold the same objects as its operands'."""

    left: object
    right: object

    @property
    def seq(self) -> Seq:
        a, b = self.left.seq, self.right.seq
        return Seq(a.kind, a.elem, a.length + b.length)

    def render(self, mode: str) -> str:
        return f"({self.left.render(mode)} + {self.right.render(mode)})"


@dataclass(frozen=True)
class SeqRepeat:
    """``[v] * 2``, ``t * 2``: every object appears ``times`` times."""

    arg: object
    times: int

    @property
    def seq(self) -> Seq:
        a = self.arg.seq
        return Seq(a.kind, a.elem, a.length * self.times)

    def render(self, mode: str) -> str:
        return f"({self.arg.render(mode)} * {self.times})"


SLICE_LENGTH = {"1:": lambda n: n - 1, ":-1": lambda n: n - 1, "::-1": lambda n: n, "::2": lambda n: (n + 1) // 2,
                ":2": lambda n: min(n, 2), "-2:": lambda n: min(n, 2)}


@dataclass(frozen=True)
class SeqSlice:
    arg: object
    how: str  # a key of SLICE_LENGTH

    @property
    def seq(self) -> Seq:
        a = self.arg.seq
        return Seq(a.kind, a.elem, SLICE_LENGTH[self.how](a.length))

    def render(self, mode: str) -> str:
        return f"{self.arg.render(mode)}[{self.how}]"


@dataclass(frozen=True)
class SeqIndex:
    """``l[i]`` (``i`` may be negative): the element itself, not a copy."""

    arg: object
    index: int

    @property
    def shape(self) -> tuple:
        return self.arg.seq.elem

    def render(self, mode: str) -> str:
        return f"{self.arg.render(mode)}[{self.index}]"


SEQ_REDUCE = {  # how: (NumPy template, shim template); {k} is the length of an element's first axis
    "sum": ("sum({l})", "sum({l})"),
    "stack sum": ("np.sum(np.stack({l}), axis=0)", "torch.stack({l}).sum(0)"),
    "stack mean": ("np.mean(np.stack({l}), axis=0)", "torch.stack({l}).mean(0)"),
    "concatenate first": ("np.concatenate({l})[:{k}]", "torch.cat({l})[:{k}]"),
    "concatenate last": ("np.concatenate({l})[-{k}:]", "torch.cat({l})[-{k}:]"),
}


@dataclass(frozen=True)
class SeqReduce:
    """A sequence consumed into one value of its elements' shape: ``sum(l)``, ``np.stack`` and a reduction over
    the new axis, or the first or last element's worth of ``np.concatenate`` (arrays only)."""

    how: str
    arg: object

    @property
    def shape(self) -> tuple:
        return self.arg.seq.elem

    def render(self, mode: str) -> str:
        template = SEQ_REDUCE[self.how][0 if mode == "np" else 1]
        return template.format(l=self.arg.render(mode), k=DIMS.get(self.shape, (0,))[0])


@dataclass(frozen=True)
class Fresh:
    """A new array the program owns: ``a.copy()`` or ``np.zeros_like(a)``."""

    how: str  # "copy" or "zeros_like"
    arg: object

    @property
    def shape(self) -> tuple:
        return self.arg.shape

    def render(self, mode: str) -> str:
        a = self.arg.render(mode)
        if self.how == "copy":
            return f"{a}.copy()" if mode == "np" else f"{a}.clone()"
        return f"np.zeros_like({a})" if mode == "np" else f"torch.zeros_like({a})"


# --- statements -------------------------------------------------------------------------------------------------


@dataclass
class Assign:
    name: str
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}{self.name} = {self.value.render(mode)}"]


class Line(str):
    """A rendered line and the constructs of the statement it belongs to."""

    labels: tuple = ()


def tag(text: str, labels) -> Line:
    line = Line(text)
    line.labels = tuple(labels)
    return line


@dataclass
class Unpack:
    """``a, b = t``: the names are bound to the sequence's elements themselves."""

    names: list
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}{', '.join(self.names)} = {self.value.render(mode)}"]


@dataclass
class Append:
    name: str
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}{self.name}.append({self.value.render(mode)})"]


@dataclass
class Extend:
    """``l += m``: the list object itself grows, so every name bound to it sees the new elements."""

    name: str
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}{self.name} += {self.value.render(mode)}"]


@dataclass
class SlotWrite:
    """``l[i] = v``: the slot is rebound, no object is modified."""

    name: str
    index: int
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}{self.name}[{self.index}] = {self.value.render(mode)}"]


@dataclass
class AugAssign:
    """``target op= value``: the target is a name (``y``), an element or a slice of a name (``y[1]``, ``y[1:]``)
    or a list slot (``l[0]``). In NumPy it updates an array in place (every name, view and slot that holds the
    array sees the change) and rebinds a scalar. For the shim: a scalar is rebound; an array that another
    name, view or slot may see (``name in shared``; a list slot always) is updated in place as in NumPy; any
    other array functionally, as a new value or a write into a clone, which PyTorch never refuses."""

    name: str  # the updated name: the array, or the list whose slot is updated
    op: str
    value: object
    index: str = ""  # the subscript, "" for the name itself
    array: bool = True  # the updated object is an array (not a scalar)
    slot: bool = False  # ``name[index]`` is a list slot
    shared: set = field(default_factory=set, compare=False, repr=False)

    @property
    def target(self) -> str:
        return f"{self.name}[{self.index}]" if self.index else self.name

    def in_place_for_shim(self) -> bool:
        return self.array and (self.slot or self.name in self.shared)

    def render(self, mode: str, indent: str) -> list[str]:
        value, target = self.value.render(mode), self.target
        if mode == "np" or self.in_place_for_shim():
            return [f"{indent}{target} {self.op}= {value}"]
        if not self.array or not self.index:
            return [f"{indent}{target} = {target} {self.op} {value}"]
        return [f"{indent}written = {value}", f"{indent}{self.name} = {self.name}.clone()",
                f"{indent}{target} {self.op}= written"]


@dataclass
class ElementWrite:
    name: str
    index: tuple
    value: object
    shared: set = field(default_factory=set, compare=False, repr=False)

    def in_place_for_shim(self) -> bool:
        return self.name in self.shared

    def render(self, mode: str, indent: str) -> list[str]:
        target = f"{self.name}[{', '.join(str(i) for i in self.index)}]"
        if mode == "np" or self.in_place_for_shim():
            return [f"{indent}{target} = {self.value.render(mode)}"]
        # PyTorch semantics: writing into a tensor that an earlier operation saved for backward is an error,
        # so the shim writes into a copy, after the value (which may read the old one) is computed; that is
        # the same program as long as no other name sees the array
        return [f"{indent}written = {self.value.render(mode)}", f"{indent}{self.name} = {self.name}.clone()",
                f"{indent}{target} = written"]


def _condition(expr: object, threshold: float, mode: str) -> str:
    e = expr.render(mode)
    return f"np.sum({e}) > {threshold!r}" if mode == "np" else f"({e}).sum() > {threshold!r}"


@dataclass
class If:
    cond: object
    threshold: float
    body: list
    orelse: list

    def render(self, mode: str, indent: str) -> list[str]:
        lines = [f"{indent}if {_condition(self.cond, self.threshold, mode)}:"]
        lines += render_block(self.body, mode, indent + "    ")
        if self.orelse:
            lines += [f"{indent}else:"] + render_block(self.orelse, mode, indent + "    ")
        return lines


@dataclass
class Break:
    cond: object
    threshold: float

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}if {_condition(self.cond, self.threshold, mode)}:", f"{indent}    break"]


@dataclass
class EarlyReturn:
    cond: object
    threshold: float
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}if {_condition(self.cond, self.threshold, mode)}:",
                f"{indent}    return {as_scalar(self.value, mode)}"]


@dataclass
class For:
    var: str
    count: int
    body: list

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}for {self.var} in range({self.count}):"] + render_block(self.body, mode, indent + "    ")


@dataclass
class While:
    """A counted ``while``: its trip count is bounded by ``count`` whatever the data do."""

    var: str
    count: int
    body: list

    def render(self, mode: str, indent: str) -> list[str]:
        inner = indent + "    "
        return ([f"{indent}{self.var} = 0", f"{indent}while {self.var} < {self.count}:"]
                + render_block(self.body, mode, inner) + [f"{inner}{self.var} += 1"])


def render_block(body: list, mode: str, indent: str) -> list[str]:
    """The statements' lines, each a ``Line`` tagged with its own statement's constructs (a compound
    statement's body lines come back tagged already)."""
    lines = [line if isinstance(line, Line) else tag(line, getattr(stmt, "labels", ()))
             for stmt in body for line in stmt.render(mode, indent)]
    return lines or [f"{indent}pass"]


def as_scalar(expr: object, mode: str) -> str:
    e = expr.render(mode)
    if expr.shape == S:
        return e
    return f"np.sum({e})" if mode == "np" else f"({e}).sum()"

"""The tree of a random program and its two renderings: NumPy (for ``srcgrad.grad``/``srcgrad.jvp`` and finite
differences) and the ``Tensor`` shim (``import srcgrad as torch``), from one tree so that both compute the same
function. ``programs.py`` draws the trees.

Every value has one of four shapes, so that every generated operation is well typed by construction:
``S`` (a scalar), ``V`` (3,), ``M`` (2, 3) and ``W`` (2,). Values stay in safe domains (``log`` and ``sqrt`` of
``a * a + 1``, division by ``b * b + 1``, ``exp`` of a ``tanh``) so that finite differences are meaningful.

Locals never alias an argument or each other (an indexing read or a bare name is copied when assigned), so
NumPy's in-place ``+=`` and element writes mean the same as srcgrad's and the shim's functional versions."""

from __future__ import annotations

from dataclasses import dataclass

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


# --- statements -------------------------------------------------------------------------------------------------


@dataclass
class Assign:
    name: str
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        return [f"{indent}{self.name} = {self.value.render(mode)}"]


@dataclass
class AugAssign:
    name: str
    op: str
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        if mode == "np":  # in place on a local that aliases nothing
            return [f"{indent}{self.name} {self.op}= {self.value.render(mode)}"]
        return [f"{indent}{self.name} = {self.name} {self.op} {self.value.render(mode)}"]


@dataclass
class ElementWrite:
    name: str
    index: tuple
    value: object

    def render(self, mode: str, indent: str) -> list[str]:
        target = f"{self.name}[{', '.join(str(i) for i in self.index)}]"
        if mode == "np":
            return [f"{indent}{target} = {self.value.render(mode)}"]
        # PyTorch semantics: writing into a tensor that an earlier operation saved for backward is an error,
        # so the shim writes into a copy, after the value (which may read the old one) is computed.
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
    lines = [line for stmt in body for line in stmt.render(mode, indent)]
    return lines or [f"{indent}pass"]


def as_scalar(expr: object, mode: str) -> str:
    e = expr.render(mode)
    if expr.shape == S:
        return e
    return f"np.sum({e})" if mode == "np" else f"({e}).sum()"

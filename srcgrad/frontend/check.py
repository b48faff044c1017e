"""The support fence: accept exactly the Python subset the transformer handles, reject the rest with an
error that names the construct, the file and line, and what to write instead.

The checker is a whitelist. A node type missing from ``SUPPORTED`` is rejected, so a construct added to
Python (or forgotten here) fails loudly instead of being differentiated wrongly."""

from __future__ import annotations

import gast

from ..analysis.walk import walk
from ..visitors import NodeVisitor
from .closures import enclosing_locals
from .context_managers import is_errstate
from .parse import ParsedFunction

SUPPORTED: dict[type, str] = {
    # statements
    gast.Assign: "assignment", gast.AugAssign: "augmented assignment", gast.AnnAssign: "annotated assignment",
    gast.Expr: "expression statement", gast.Return: "return", gast.If: "if", gast.For: "for loop",
    gast.While: "while loop", gast.Break: "break", gast.Continue: "continue", gast.Pass: "pass",
    gast.Assert: "assert", gast.Raise: "raise", gast.FunctionDef: "nested function",
    # expressions
    gast.BoolOp: "and/or", gast.BinOp: "binary operator", gast.UnaryOp: "unary operator",
    gast.IfExp: "conditional expression", gast.Compare: "comparison", gast.Call: "call",
    gast.Constant: "constant", gast.Attribute: "attribute", gast.Subscript: "subscript", gast.Name: "name",
    gast.List: "list", gast.Tuple: "tuple", gast.Slice: "slice", gast.ListComp: "list comprehension", gast.Lambda: "lambda",
    gast.With: "with np.errstate", gast.withitem: "", gast.Dict: "dict", gast.DictComp: "dict comprehension", gast.GeneratorExp: "generator expression",
    gast.comprehension: "comprehension", gast.JoinedStr: "f-string", gast.FormattedValue: "f-string",
    gast.keyword: "keyword argument", gast.arguments: "arguments",
    # operators and contexts
    gast.Load: "", gast.Store: "", gast.Param: "", gast.Add: "", gast.Sub: "", gast.Mult: "", gast.Div: "", gast.Pow: "",
    gast.MatMult: "", gast.FloorDiv: "", gast.Mod: "", gast.USub: "", gast.UAdd: "", gast.Not: "",
    gast.Invert: "", gast.And: "", gast.Or: "", gast.Eq: "", gast.NotEq: "", gast.Lt: "", gast.LtE: "",
    gast.Gt: "", gast.GtE: "", gast.Is: "", gast.IsNot: "", gast.In: "", gast.NotIn: "",
}

HINTS: dict[str, str] = {
    "Try": "move the try/except outside the differentiated function",
    "With": "move the with-block outside the differentiated function",
    "Global": "pass the value as an argument instead of using global",
    "Nonlocal": "pass the value as an argument and return the new one",
    "ClassDef": "define the class at module level",
    "Yield": "return a list or an array instead of yielding",
    "YieldFrom": "return a list or an array instead of yielding",
    "Await": "differentiate a synchronous function",
    "SetComp": "use a list comprehension",
    "Set": "use a list or a tuple",
    "NamedExpr": "assign the value in its own statement",
    "Starred": "pass the arguments explicitly",
    "Delete": "let the variable go out of scope instead of deleting it",
    "Import": "import at module level",
    "ImportFrom": "import at module level",
    "AsyncFor": "differentiate a synchronous function",
    "AsyncWith": "differentiate a synchronous function",
}

FORBIDDEN_BINOPS = {gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>"}


class SupportChecker(NodeVisitor):
    """Walks the function body and raises ``SrcgradSyntaxError`` at the first unsupported construct."""

    def __init__(self, parsed: ParsedFunction):
        self.parsed = parsed
        self.local_names = enclosing_locals(parsed.node)
        self.consumed: set[int] = set()  # generator expressions passed straight to a call

    def check(self) -> None:
        for stmt in self.parsed.node.body:
            self.visit(stmt)

    def generic_visit(self, node: gast.AST) -> None:
        if type(node) in FORBIDDEN_BINOPS:
            return
        if type(node) not in SUPPORTED:
            name = type(node).__name__
            what = {"FunctionDef": "a nested function definition"}.get(name, f"'{name}'")
            raise self.parsed.error(node, f"{what} is not supported inside a differentiated function",
                                    HINTS.get(name, "rewrite it with supported constructs (see docs/supported.md)"))
        super().generic_visit(node)

    def visit_Assign(self, node: gast.Assign) -> None:
        if len(node.targets) != 1:
            raise self.parsed.error(node, "chained assignment (a = b = ...) is not supported",
                                    "assign each name in its own statement")
        self._check_target(node.targets[0])
        target = node.targets[0]
        if isinstance(target, (gast.Tuple, gast.List)) and any(isinstance(e, gast.Starred) for e in target.elts):
            self.visit(node.value)  # the starred target was checked above
            return
        self.generic_visit(node)

    def visit_AugAssign(self, node: gast.AugAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: gast.AnnAssign) -> None:
        if node.value is None:
            raise self.parsed.error(node, "an annotation without a value is not supported", "assign a value")
        self._check_target(node.target)
        self.visit(node.value)

    def _check_target(self, target: gast.AST) -> None:
        if isinstance(target, gast.Name):
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            starred = [e for e in target.elts if isinstance(e, gast.Starred)]
            for elt in target.elts:
                if isinstance(elt, gast.Starred) and len(starred) == 1 and isinstance(elt.value, gast.Name):
                    continue  # a, *rest = xs: lowered by list_methods.LowerStarredTargets
                if not isinstance(elt, gast.Name):
                    raise self.parsed.error(elt, "only names can be unpacked into",
                                            "unpack into names, then assign them where they belong")
            return
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            return
        if isinstance(target, gast.Attribute):
            raise self.parsed.error(
                target, f"assigning the attribute '{target.attr}' changes an object in place: srcgrad follows "
                "attributes set in the __init__ of an object made in differentiated code, not those a method "
                "(or a parent class's __init__ called through super()) sets afterwards",
                "return the new value from the method, or set the attribute in the class's own __init__")
        raise self.parsed.error(target, "assignment to this kind of target is not supported",
                                "assign to a name, a tuple of names, or an element of an array variable")

    def visit_BinOp(self, node: gast.BinOp) -> None:
        self.generic_visit(node)

    def visit_For(self, node: gast.For) -> None:
        self._check_loop_target(node.target)
        if node.orelse:
            raise self.parsed.error(node, "for-else is not supported",
                                    "set a flag before break and test it after the loop")
        self.generic_visit(node)

    def visit_While(self, node: gast.While) -> None:
        if node.orelse:
            raise self.parsed.error(node, "while-else is not supported",
                                    "set a flag before break and test it after the loop")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: gast.FunctionDef) -> None:
        """A nested ``def`` is transformed like any callee when it is called; the enclosing function's
        locals it reads become its parameters (``closures.py``)."""
        if node is self.parsed.node:
            return
        if node.decorator_list:
            raise self.parsed.error(node, "a decorated nested function is not supported",
                                    "define it at module level")
        self.generic_visit(node)


    def visit_With(self, node: gast.With) -> None:
        if not all(is_errstate(item, self.parsed.scope.lookup) for item in node.items):
            raise self.parsed.error(node, "a 'with' block other than 'with np.errstate(...)' is not supported "
                                    "inside a differentiated function",
                                    HINTS["With"])
        for sub in walk(node):
            if isinstance(sub, (gast.Return, gast.Break, gast.Continue)):
                raise self.parsed.error(sub, f"'{type(sub).__name__.lower()}' inside a 'with np.errstate(...)' "
                                        "block is not supported (the settings would not be restored)",
                                        "compute the value inside the block and return it after the block")
        self.generic_visit(node)

    def visit_Dict(self, node: gast.Dict) -> None:
        if any(key is None for key in node.keys):
            raise self.parsed.error(node, "'**' in a dict display is not supported",
                                    "write the entries out, or build the dict outside the function")
        self.generic_visit(node)

    def visit_ListComp(self, node: gast.ListComp | gast.GeneratorExp | gast.DictComp) -> None:
        for gen in node.generators:
            if gen.is_async:
                raise self.parsed.error(node, "async comprehensions are not supported")
            self._check_loop_target(gen.target)
        self.generic_visit(node)

    visit_DictComp = visit_ListComp

    def visit_Call(self, node: gast.Call) -> None:
        # a generator expression passed straight to a call is consumed there, once: lowered to a list
        self.consumed |= {id(a) for a in node.args if isinstance(a, gast.GeneratorExp)}
        self.generic_visit(node)

    def visit_GeneratorExp(self, node: gast.GeneratorExp) -> None:
        if id(node) not in self.consumed:
            raise self.parsed.error(node, "a generator expression that is not consumed at once, by the call it "
                                    "is passed to", "pass it straight to the call (sum(f(v) for v in xs)), or "
                                    "build a list with a list comprehension")
        self.visit_ListComp(node)

    def _check_loop_target(self, target: gast.expr) -> None:
        if isinstance(target, gast.Name):
            return
        if isinstance(target, gast.Tuple):
            for element in target.elts:
                self._check_loop_target(element)
            return
        raise self.parsed.error(target, "a loop target must be a name or a tuple of names")




def check_supported(parsed: ParsedFunction) -> None:
    """Raise ``SrcgradSyntaxError`` at the first construct srcgrad cannot differentiate."""
    SupportChecker(parsed).check()


def check_no_argument_mutation(parsed: ParsedFunction) -> None:
    """A function called from differentiated code must not write into the arrays or lists its caller
    passed: Python would make the change visible to the caller, but srcgrad's copy-on-write element writes
    would not, and the gradient would silently describe a different program. Writes into an argument the
    function first rebinds (``x = x.copy()``) are fine."""
    fn = parsed.node
    params = {a.id for a in fn.args.args}
    rebound = {t.id for node in walk(fn) if isinstance(node, (gast.Assign, gast.AnnAssign))
               for t in ([node.target] if isinstance(node, gast.AnnAssign) else node.targets)
               if isinstance(t, gast.Name)}
    for node in walk(fn):
        written = None
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            for target in (node.targets if isinstance(node, gast.Assign) else [node.target]):
                if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                    written = target.value.id
        elif (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
              and node.func.attr in ("append", "extend", "insert", "pop", "reverse")
              and isinstance(node.func.value, gast.Name)):
            written = node.func.value.id
        if written in params and written not in rebound:
            raise parsed.error(node, f"this function writes into its argument '{written}', which belongs to the "
                               "calling function", f"work on a copy: {written} = {written}.copy()")

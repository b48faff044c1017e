"""Write docs/rules.md, the list of functions srcgrad has derivative rules for, from the rule table itself.

    python scripts/generate_rules_doc.py          # rewrite docs/rules.md
    python scripts/generate_rules_doc.py --check  # exit 1 (with a diff) when docs/rules.md is out of date

The table in the docs is generated rather than written so that it cannot drift from the code: the test
suite runs ``--check``, and a new rule without a regenerated page fails CI. Only srcgrad's built-in
rules are listed (rules registered by user code in the same process are left out); the script runs in a
fresh interpreter, where nothing else is registered.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "rules.md"

GROUPS = {
    "builtins": "Python builtins, applied to floats.",
    "math": "The `math` module, on Python floats.",
    "numpy": "NumPy functions and ufuncs; array methods (`x.sum()`, `x.T`, `x.reshape(...)`) are lowered to "
             "these before differentiation.",
    "numpy.fft": "Discrete Fourier transforms: real inputs, complex intermediates, real outputs (see "
                 "supported.md, *Fourier transforms and complex values*).",
    "numpy.linalg": "Linear algebra.",
    "operator": "Python's operators: `a + b` is differentiated as `operator.add(a, b)`, `a[i]` as "
                "`operator.getitem(a, i)`.",
    "srcgrad.custom": "srcgrad's own user-facing helpers.",
    "srcgrad.rules.concat_helpers": "NumPy's index-trick concatenators as calls: `np.r_[a, b]` is `r_concat(a, b)`, "
                                    "`np.c_[a, b]` is `c_concat(a, b)` (items are arrays or numbers).",
    "srcgrad.runtime": "Helpers that srcgrad's desugaring inserts into your code: element writes "
                       "(`y[i] = v`), `list.append`, calls into your own Python functions.",
    "srcgrad.rules.fft_helpers": "`np.abs` of a value that may be complex: srcgrad calls `complex_abs` in its "
                                 "place, whose rules hold for complex values.",
    "srcgrad.rules.shim_rules": "Operations of the `Tensor` shim without a NumPy function of their own; "
                                "the shim's `grad_fn` nodes call these rules.",
}


# Rules for functions that only some supported versions of Python or NumPy have. They are listed in a note
# rather than in the table, so that the page is the same whichever environment generates or checks it.
VERSION_DEPENDENT = {"math.cbrt": "Python 3.11+", "math.exp2": "Python 3.11+", "numpy.row_stack": "NumPy < 2.5"}


def _group(name: str) -> str:
    module, dot, _ = name.rpartition(".")
    return module if dot else "builtins"


def _differentiable(rule) -> str:
    """``0, 1 (`x1`, `x2`)``: the positions and parameter names the rule returns partials for."""
    names = rule.differentiable_params()
    if rule.argnums == "*":
        return f"every positional argument (`*{names[0]}`)" if names else "every positional argument"
    positions = ", ".join(str(i) for i in rule.argnums)
    return f"{positions} ({', '.join(f'`{n}`' for n in names)})"


def _declared_in(record) -> Path:
    """The file that declares a record: its rule's, or for derived rules the declaration's."""
    return Path(record.declared_in or inspect.getsourcefile(record.reverse.function) or "?").resolve()


def _forward(record) -> str:
    if record.derivation != "written":
        return f"derived ({record.derivation})"
    return "written" if record.forward else "none"


def _shim(record) -> str:
    if record.torch is None:
        return ""
    return ", ".join(f"`{name}`" for name in record.torch.names) + f" (`{record.torch.node}`)"


def _rule_files(records) -> str:
    files = sorted({_declared_in(r) for r in records})
    shown = []
    for path in files:
        try:
            shown.append(f"`{path.relative_to(ROOT).as_posix()}`")
        except ValueError:
            shown.append(f"`{path.name}`")
    return ", ".join(shown)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=110, break_on_hyphens=False, break_long_words=False)


def render() -> str:
    """The Markdown text of docs/rules.md."""
    sys.path.insert(0, str(ROOT))
    import srcgrad  # noqa: F401  (registers the built-in rules)
    from srcgrad.rules.registry import primal_name, registered_nondifferentiable, registered_primitives

    records = [r for r in registered_primitives()
               if r.reverse is not None and r.reverse.function.__module__.startswith("srcgrad.")
               and r.name not in VERSION_DEPENDENT]
    grouped = defaultdict(list)
    for record in records:
        grouped[_group(record.name)].append(record)
    constants = defaultdict(list)
    for primal in registered_nondifferentiable():
        name = primal_name(primal)
        constants[_group(name)].append(name)

    lines = [
        "# Functions with derivative rules",
        "",
        "<!-- Generated by scripts/generate_rules_doc.py from srcgrad's rule table; do not edit by hand. -->",
        "",
        *_wrap(f"srcgrad has reverse-mode rules for the {len(records)} functions below, grouped by module and sorted "
        "by name. *Differentiable arguments* are the positions (and parameter names) a rule returns partial "
        "derivatives for; the other arguments (axes, shapes, exponents given as integers, indices) get no "
        "gradient. The source transformer inlines each rule at the call site; the `Tensor` shim calls the "
        "same rules. To add one, see [custom-rules.md](custom-rules.md)."),
        "",
        *_wrap("*Dask / CuPy* says whether the rule runs on the arrays of those libraries through NumPy's "
        "dispatch protocols (\"yes\": only calls they take over, and on Dask it stays lazy, checked by "
        "tests/dispatch), or what stops it. See [distributed.md](distributed.md)."),
        "",
    ]
    for group in sorted(grouped):
        members = grouped[group]
        lines += [f"## {group}", ""]
        if group in GROUPS:
            lines += [*_wrap(GROUPS[group]), ""]
        lines += [f"Rules in {_rule_files(members)}.", "",
                  "| function | differentiable arguments | forward rule | Tensor op | Dask / CuPy |",
                  "|---|---|---|---|---|"]
        lines += [f"| `{r.name}` | {_differentiable(r.reverse)} | {_forward(r)} | {_shim(r)} | "
                  f"{r.dispatch_note or 'yes'} |" for r in members]
        dependent = sorted(name for name in VERSION_DEPENDENT if _group(name) == group)
        if dependent:
            lines += ["", *_wrap("Also, where the installed version has them: " + ", ".join(
                f"`{name}` ({VERSION_DEPENDENT[name]})" for name in dependent)
                + "; their rules are written like the others in this table.")]
        lines.append("")
    lines += [
        "## Functions without a gradient",
        "",
        *_wrap("These are declared non-differentiable: their outputs are constants to differentiation (shapes, "
        "comparisons, rounding, integer results, constructors), so calling them in differentiated code is "
        "fine and contributes no gradient."),
        "",
    ]
    for group in sorted(constants):
        names = ", ".join(f"`{n}`" for n in sorted(set(constants[group])))
        lines.append(f"- **{group}**: {names}")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/rules.md from srcgrad's rule table.")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 when stale")
    options = parser.parse_args(argv)
    text = render()
    if options.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current == text:
            return 0
        diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "docs/rules.md (committed)",
                                    "docs/rules.md (generated)", lineterm="")
        print("\n".join(diff))
        print("docs/rules.md is out of date: run python scripts/generate_rules_doc.py", file=sys.stderr)
        return 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""PyTorch's tensor formatter, reproduced for NumPy arrays.

``repr`` of a shim tensor has to be character-for-character what PyTorch 2.13
prints (``torch/_tensor_str.py`` with its default print options), because users
compare outputs, paste them into doctests and diff logs between the two
libraries.  This module re-implements that algorithm on top of NumPy so that no
torch import is needed.

The rules worth knowing, since several of them look like accidents but are
observable behaviour that must be kept:

* One formatter is built per tensor (per real/imaginary part for complex ones)
  from the *non-zero finite* values only.  Zeros, ``nan`` and ``inf`` never
  influence the chosen mode or the column width, so they may end up unpadded.
* Floats print in one of three modes: integer mode (``1.``) when every
  non-zero finite value is integral, scientific mode (``1.0000e+10``) when the
  magnitudes span more than a factor 1000 or leave ``[1e-4, 1e8]``, and fixed
  mode (``0.5000``) otherwise.  Precision is always 4, also for float64.
* Tensors with more than 1000 elements are summarised: every dimension longer
  than 6 keeps only its first and last 3 entries, and the formatter only sees
  the entries that are actually shown.
"""

from __future__ import annotations

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80

# Dtypes whose repr omits ``dtype=`` (when the tensor is not empty).
_DEFAULT_DTYPES = frozenset({"float32", "complex64", "int64", "bool"})
# PyTorch spellings that name the same dtype; ``str(torch.double)`` is ``torch.float64``.
_ALIASES = {
    "float": "float32", "double": "float64", "half": "float16",
    "long": "int64", "int": "int32", "short": "int16",
    "cfloat": "complex64", "cdouble": "complex128", "chalf": "complex32",
}


class _Formatter:
    """Chooses one display mode and one column width for a set of values.

    Mirrors ``torch._tensor_str._Formatter``: the width is the longest rendering
    of a non-zero finite value, and every element is right-aligned to it.
    """

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.reshape(-1)
        if not floating:
            for value in flat.tolist():
                self.width = max(self.width, len(str(value)))
            return
        shown = flat.astype(np.float64)
        nonzero_finite = shown[np.isfinite(shown) & (shown != 0)].tolist()
        if not nonzero_finite:
            return
        magnitudes = [abs(v) for v in nonzero_finite]
        largest, smallest = max(magnitudes), min(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in nonzero_finite)
        self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        if self.sci_mode:
            lengths = (len(f"{v:.{PRECISION}e}") for v in nonzero_finite)
        elif self.int_mode:
            # The trailing "." that marks an integral float counts towards the width.
            lengths = (len(f"{v:.0f}") + 1 for v in nonzero_finite)
        else:
            lengths = (len(f"{v:.{PRECISION}f}") for v in nonzero_finite)
        self.width = max(lengths)

    def format(self, value) -> str:
        """Render one element (a Python scalar), right-aligned to the column width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{PRECISION}f}"
        return text.rjust(self.width)


class _Renderer:
    """Turns an array into the bracketed body of the repr, one dimension at a time."""

    def __init__(self, data: np.ndarray, floating: bool, summarize: bool):
        self.summarize = summarize
        shown = _summarized(data) if summarize else data
        self.complex = np.iscomplexobj(data)
        if self.complex:
            self.real = _Formatter(shown.real, True)
            self.imag = _Formatter(shown.imag, True)
        else:
            self.real = _Formatter(shown, floating)

    def element(self, value) -> str:
        """One element; complex ones are ``real+imagj`` with the sign taken from the imaginary part."""
        if not self.complex:
            return self.real.format(value)
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag

    def render(self, data: np.ndarray, indent: int) -> str:
        if data.ndim == 0:
            return self.element(data.item())
        if data.ndim == 1:
            return self._vector(data, indent)
        rows = range(data.shape[0])
        if self.summarize and data.shape[0] > 2 * EDGEITEMS:
            rows = [*range(EDGEITEMS), None, *range(data.shape[0] - EDGEITEMS, data.shape[0])]
        slices = ["..." if i is None else self.render(data[i], indent + 1) for i in rows]
        # Sub-blocks are separated by one blank line less than their rank.
        separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
        return "[" + separator.join(slices) + "]"

    def _vector(self, data: np.ndarray, indent: int) -> str:
        """A 1-D row, wrapped so that a line holds as many whole columns as fit in 80 characters.

        The line budget ignores the brackets and ``tensor(`` beyond ``indent``,
        so a full line may run a couple of characters past 80, as in PyTorch.
        """
        element_length = self.real.width + 2
        if self.complex:
            element_length += self.imag.width + 1
        per_line = max(1, (LINEWIDTH - indent) // element_length)
        n = data.shape[0]
        if self.summarize and n > 2 * EDGEITEMS:
            items = [self.element(v) for v in data[:EDGEITEMS].tolist()]
            items += [" ..."] + [self.element(v) for v in data[n - EDGEITEMS:].tolist()]
        else:
            items = [self.element(v) for v in data.tolist()]
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements a summarised repr actually shows (first and last 3 along each long axis).

    The formatter is built from these only, so hidden extreme values do not
    switch the visible ones into scientific mode.
    """
    for axis, n in enumerate(data.shape):
        if n > 2 * EDGEITEMS:
            keep = np.r_[0:EDGEITEMS, n - EDGEITEMS:n]
            data = np.take(data, keep, axis=axis)
    return data


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, dtype=...`` style suffixes, moving one to its own line if it would pass 80 columns.

    PyTorch measures the last line as two characters longer than it is
    (``len - rfind("\\n") + 1``); that quirk decides where the break falls, so it is kept.
    """
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _canonical_dtype(dtype_name: str) -> str:
    name = dtype_name.removeprefix("torch.")
    return _ALIASES.get(name, name)


def _as_dtype(data: np.ndarray, dtype: str) -> np.ndarray:
    """Round the data to the tensor's dtype, as ``torch.tensor(data, dtype=...)`` would."""
    try:
        target = np.dtype(dtype)
    except TypeError:  # no NumPy equivalent (bfloat16, float8...): trust the caller's values
        return data
    return data if data.dtype == target else data.astype(target)


def format_tensor(data: np.ndarray, dtype_name: str, *, grad_fn_name: str | None = None,
                  requires_grad: bool = False) -> str:
    """``repr(t)`` of a tensor holding ``data`` with torch dtype ``dtype_name``, exactly as PyTorch prints it.

    ``dtype_name`` is the torch dtype without the ``torch.`` prefix (``"float32"``,
    ``"int64"``, ``"bool"``...).  ``grad_fn_name`` (e.g. ``"SubBackward0"``) marks a
    non-leaf result; otherwise ``requires_grad=True`` marks a leaf that tracks gradients.
    """
    dtype = _canonical_dtype(dtype_name)
    data = _as_dtype(np.asarray(data), dtype)
    floating = dtype.startswith(("float", "bfloat", "complex"))
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if data.size == 0:
        # Nothing to infer the dtype from, so only float32 goes unnamed; shapes other than (0,) are spelt out.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype != "float32":
            suffixes.append(f"dtype=torch.{dtype}")
        body = "[]"
    else:
        if dtype not in _DEFAULT_DTYPES:
            suffixes.append(f"dtype=torch.{dtype}")
        renderer = _Renderer(data, floating, summarize=data.size > THRESHOLD)
        body = renderer.render(data, indent)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)

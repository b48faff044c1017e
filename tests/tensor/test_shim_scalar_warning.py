"""Converting a tensor that requires grad to a Python scalar: PyTorch warns once per process for
``float()`` (and what goes through it: ``complex()``, ``math.sqrt``), not for ``int()``, ``item()``,
``bool()``, ``tolist()`` or formatting. Each conversion runs in a fresh interpreter under both, since the
warning is issued once per process."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

CONVERSIONS = ["float(y)", "int(y)", "y.item()", "bool(y)", "y.tolist()", "math.sqrt(y)", "f'{y:.2f}'", "complex(y)",
               "float(x)", "float(torch.tensor([1.5], requires_grad=True))", "float(y.detach())",
               "[float(y), float(y)]", "int(y), float(y)"]
PROGRAM = """
import math, sys, warnings
warnings.simplefilter("always")
warnings.showwarning = lambda message, category, *rest: print(category.__name__ + ": " + str(message).split(" (Triggered")[0])
if sys.argv[1] == "srcgrad":
    import srcgrad as torch
else:
    import torch
x = torch.tensor(2.5, requires_grad=True)
y = x * 2
print({conversion})
"""


@pytest.mark.parametrize("conversion", CONVERSIONS)
def test_the_same_warnings_as_pytorch(conversion):
    outputs = [subprocess.run([sys.executable, "-c", PROGRAM.format(conversion=conversion), library],
                              capture_output=True, text=True, timeout=120) for library in ("torch", "srcgrad")]
    assert outputs[0].returncode == outputs[1].returncode == 0, outputs[1].stderr
    assert outputs[1].stdout == outputs[0].stdout

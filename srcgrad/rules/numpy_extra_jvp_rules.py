"""Forward rules, one per differentiable argument of each reverse rule in numpy_extra_rules.py."""

import numpy as np  # noqa: F401

from .registry import defjvp  # noqa: F401

"""Reverse rules: see the module's forward twin and docs/rules.md. (Filled in below.)"""

import numpy as np  # noqa: F401

from .registry import defvjp  # noqa: F401

"""srcgrad's pytest plugin: installing srcgrad gives every test suite a ``check_grads`` fixture.

Registered through the ``pytest11`` entry point, so it loads in any project where srcgrad is installed.
srcgrad itself is imported only when a test asks for the fixture: projects that never use it pay nothing
at collection time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def check_grads() -> Callable[..., Any]:
    """``srcgrad.testing.check_grads``: compare srcgrad's gradient of ``f`` at ``args`` with finite
    differences, failing the test with the disagreeing entries and the generated code."""
    from srcgrad.testing import check_grads as check  # noqa: PLC0415  (every pytest run loads the plugin)

    return check

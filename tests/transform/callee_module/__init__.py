"""Functions imported from another module by tests/transform/test_calls.py."""

import numpy as np

OFFSET = 0.25


def imported_square_sum(v, weight=1.0):
    return np.sum((v + OFFSET) ** 2) * weight


def uses_unsupported(v):
    with open(__file__):  # the error must point here
        pass
    return v

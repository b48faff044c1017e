"""Scalar losses that end in reductions, shared by the Dask and CuPy tests: ``grad`` seeds their adjoint
with the Python float 1.0, which the rules (trace, max, norms, einsum, prod, var) must move into the
array library of the data before mixing it with device arrays."""

import numpy as np


def trace_times_max(X):
    return np.trace(X) * np.max(X)


def two_norms(X):
    return np.linalg.norm(X) + np.sum(np.linalg.norm(X, ord=1, axis=0))


def einsum_and_prod(X):
    return np.einsum("ij,ij->", X, X) + np.prod(X[0])


def mean_and_var(X):
    return np.mean(np.abs(X)) + np.var(X)


REDUCTIONS = [trace_times_max, two_norms, einsum_and_prod, mean_and_var]

"""Fitting a truncated cosine series: the basis terms are small closures created in a loop over the
frequency index and collected in a list by a helper; each term scales its cosine by its coefficient and
the prediction is their sum (the closures read the loop variable when they are called, as Python closures
do)."""

import numpy as np


def make_basis(num_terms):
    terms = []
    for k in range(num_terms):
        def term(coeffs, x):
            return coeffs[k] * np.cos((k + 1) * x)
        terms.append(term)
    return terms


def series_loss(coeffs, x, y, num_terms=3):
    basis = make_basis(num_terms)
    prediction = sum([term(coeffs, x) for term in basis])
    return np.mean((prediction - y) ** 2) + 1e-3 * np.sum(coeffs ** 2)

"""Matrix factorisation for a ratings matrix with missing entries: user and item factors plus biases in a
dict, the squared error on observed entries only, and weight decay on the factors."""

import numpy as np


def predict_ratings(params):
    return params["U"] @ params["V"].T + params["user_bias"][:, None] + params["item_bias"][None, :]


def factorization_loss(params, ratings, observed, lam=0.05):
    residual = (predict_ratings(params) - ratings) * observed
    data_term = 0.5 * np.sum(residual ** 2) / np.sum(observed)
    reg = lam * (np.sum(params["U"] ** 2) + np.sum(params["V"] ** 2))
    return data_term + reg

"""Recursive neural network over binary parse trees: a tree is a word index or a (left, right) pair, encoded
bottom-up by a recursive function; the loss is a squared error of the root's sentiment score."""

import numpy as np


def encode(params, tree):
    if isinstance(tree, int):
        return params["embeddings"][tree]
    left, right = tree
    children = np.concatenate([encode(params, left), encode(params, right)])
    return np.tanh(children @ params["W_compose"] + params["b_compose"])


def sentiment_loss(params, trees, labels):
    loss = 0.0
    for tree, label in zip(trees, labels):
        score = encode(params, tree) @ params["w_score"]
        loss = loss + (score - label) ** 2
    return loss / len(trees)

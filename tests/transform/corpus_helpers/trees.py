"""Expression trees as nested tuples and lists, evaluated recursively."""

import numpy as np

VAR, ADD, MUL, SIN, EXP = 0, 1, 2, 3, 4


def evaluate(node, x):
    """``node`` is a number, ``VAR`` in a 1-tuple, or a tuple (op, left, right) / (op, child)."""
    if not isinstance(node, tuple):
        return node
    op = node[0]
    if op == VAR:
        return x
    if op == ADD:
        return evaluate(node[1], x) + evaluate(node[2], x)
    if op == MUL:
        return evaluate(node[1], x) * evaluate(node[2], x)
    if op == SIN:
        return np.sin(evaluate(node[1], x))
    return np.exp(evaluate(node[1], x))


def evaluate_list(node, x):
    """The same over nested lists whose leaves are arrays: [op, children...] with arrays as constants."""
    op = node[0]
    if op == VAR:
        return x
    if op == ADD:
        total = x * 0.0
        for child in node[1:]:
            total = total + evaluate_list(child, x)
        return total
    if op == MUL:
        return node[1] * evaluate_list(node[2], x)
    return np.tanh(evaluate_list(node[1], x))


def tree_sum_of_squares(tree):
    """Sum of squares of every array leaf of a nested list/tuple."""
    if isinstance(tree, (list, tuple)):
        total = 0.0
        for child in tree:
            total = total + tree_sum_of_squares(child)
        return total
    return np.sum(tree * tree)


def weighted_depth_sum(tree, depth):
    if isinstance(tree, (list, tuple)):
        total = 0.0
        for child in tree:
            total = total + weighted_depth_sum(child, depth + 1)
        return total
    return np.sum(np.sin(tree)) * (depth + 1.0)

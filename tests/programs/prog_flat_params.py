"""A network trained on one flat parameter vector, unpacked into layer matrices by walking a module-level
list of shapes with running offsets (the flatten/unflatten idiom of optimiser code)."""

import numpy as np

SHAPES = [(3, 5), (5,), (5, 2), (2,)]


def unflatten(flat, shapes=SHAPES):
    pieces = []
    offset = 0
    for shape in shapes:
        size = int(np.prod(shape))
        pieces.append(flat[offset:offset + size].reshape(shape))
        offset += size
    return pieces


def flat_loss(flat, x, y):
    W1, b1, W2, b2 = unflatten(flat)
    hidden = np.sin(x @ W1 + b1)
    logits = hidden @ W2 + b2
    return np.mean(np.logaddexp(0.0, logits[:, 0] - logits[:, 1]) * y + (1 - y) * logits[:, 1] ** 2)

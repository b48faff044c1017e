"""Linear soft-margin SVM in the primal: weights and bias in one vector, split with unpacking, the squared
hinge loss through np.maximum and an L2 penalty on the weights only."""

import numpy as np


def svm_objective(theta, X, y, C=1.0):
    *w, b = theta
    w = np.array(w)
    margins = y * (X @ w + b)
    return 0.5 * np.dot(w, w) + C * np.mean(np.maximum(0.0, 1.0 - margins) ** 2)

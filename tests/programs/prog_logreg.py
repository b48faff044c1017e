"""Logistic regression with an L2 penalty, the sigmoid written with tanh as in autograd's tutorial."""

import numpy as np


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1)


def logistic_predictions(weights, inputs):
    return sigmoid(np.dot(inputs, weights[:-1]) + weights[-1])


def training_loss(weights, inputs, targets, l2=0.01):
    preds = logistic_predictions(weights, inputs)
    label_probabilities = preds * targets + (1 - preds) * (1 - targets)
    return -np.sum(np.log(label_probabilities)) + l2 * np.dot(weights[:-1], weights[:-1])

"""REINFORCE: a linear softmax policy over discrete actions, discounted returns computed backwards with
reversed() and list.insert, normalised as a baseline, and the surrogate loss -sum(log pi(a|s) * advantage)
with an entropy bonus."""

import numpy as np


def log_softmax(logits):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def discounted_returns(rewards, gamma=0.9):
    running = 0.0
    returns = []
    for r in reversed(rewards):
        running = r + gamma * running
        returns.insert(0, running)
    return np.array(returns)


def reinforce_loss(theta, states, actions, rewards, entropy_weight=0.01):
    log_probs = log_softmax(states @ theta)
    taken = log_probs[np.arange(actions.shape[0]), actions]
    returns = discounted_returns(rewards)
    advantages = (returns - returns.mean()) / (returns.std() + 1e-8)
    entropy = -np.sum(np.exp(log_probs) * log_probs, axis=1)
    return -np.sum(taken * advantages) - entropy_weight * np.sum(entropy)

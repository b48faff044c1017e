"""Gradient surgery: change what flows backwards through one point of a program, and only there.

``srcgrad.custom_vjp`` gives a function a hand-written reverse rule. An identity function whose rule
edits the cotangent is a surgical tool: the forward computation is untouched, and the adjoint sweep that
srcgrad generates calls the rule at exactly that point. Three tools:

- ``clip_gradient(x, limit)``: clips the gradient flowing into ``x`` elementwise to [-limit, limit];
- ``flip_gradient(x, scale)``: multiplies it by ``-scale`` (the gradient-reversal layer of domain-adversarial
  training: features learn to *confuse* the head behind them);
- ``srcgrad.stop_gradient(x)``: cuts it.

Run: python examples/gradient_surgery.py
"""

from __future__ import annotations

import numpy as np

import srcgrad


@srcgrad.custom_vjp
def clip_gradient(x, limit):
    return x


def _clip_fwd(x, limit):
    return x, limit  # the output, and the residuals the backward needs


def _clip_bwd(limit, g):
    return np.clip(g, -limit, limit), None  # one cotangent per argument; None: limit gets none


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


@srcgrad.custom_vjp
def flip_gradient(x, scale):
    return x


def _flip_fwd(x, scale):
    return x, scale


def _flip_bwd(scale, g):
    return -scale * g, None


flip_gradient.defvjp(_flip_fwd, _flip_bwd)


def sharp_loss(w, x):
    """exp(4 h) makes the gradient explode where h is large."""
    h = np.tanh(x @ w)
    return np.sum(np.exp(4 * h))


def clipped_loss(w, x):
    """The same function; the gradient reaching h is clipped to [-1, 1] on its way back."""
    h = clip_gradient(np.tanh(x @ w), 1.0)
    return np.sum(np.exp(4 * h))


def adversarial_loss(w, x):
    """The features h are trained against the head that reads them (its gradient arrives reversed)."""
    h = flip_gradient(np.tanh(x @ w), 0.5)
    return np.sum(h ** 2)


def frozen_loss(w, x):
    """Gradient only through the second use of w: the first factor counts as a constant."""
    return np.sum(srcgrad.stop_gradient(x @ w) * (x @ w))


def main() -> dict:
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=3), rng.normal(size=(5, 3))
    h = np.tanh(x @ w)

    plain, clipped = srcgrad.grad(sharp_loss)(w, x), srcgrad.grad(clipped_loss)(w, x)
    expected = x.T @ (np.clip(4 * np.exp(4 * h), -1.0, 1.0) * (1 - h * h))  # by hand: clip, then chain rule
    assert np.allclose(clipped, expected)
    print("gradient of sharp_loss:  ", plain)
    print("with clip_gradient:      ", clipped)

    flipped = srcgrad.grad(adversarial_loss)(w, x)
    assert np.allclose(flipped, -0.5 * (x.T @ (2 * h * (1 - h * h))))
    print("with flip_gradient(0.5): ", flipped)

    frozen = srcgrad.grad(frozen_loss)(w, x)
    assert np.allclose(frozen, x.T @ (x @ w))  # half of d/dw sum((x @ w)**2)
    print("with stop_gradient:      ", frozen)

    print("\nThe adjoint srcgrad generates for clipped_loss calls the rule where clip_gradient was called:\n")
    print(srcgrad.show(clipped_loss, w, x))
    return {"plain": plain, "clipped": clipped, "flipped": flipped, "frozen": frozen}


if __name__ == "__main__":
    main()

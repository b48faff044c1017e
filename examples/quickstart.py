"""srcgrad in one screen: a function, the gradient code srcgrad writes for it, and the gradient's value."""

import inspect

import numpy as np

import srcgrad


def loss(w, x, y):
    h = np.tanh(x @ w)
    return np.mean((h - y) ** 2)


def main() -> None:
    rng = np.random.default_rng(0)
    w, x, y = rng.normal(size=3), rng.normal(size=(8, 3)), rng.normal(size=8)
    print("The function:\n")
    print(inspect.getsource(loss))
    print("The gradient code srcgrad generates for it (srcgrad.show(loss)):\n")
    print(srcgrad.show(loss))
    dw = srcgrad.grad(loss)(w, x, y)
    eps = 1e-6
    fd = np.array([(loss(w + eps * e, x, y) - loss(w - eps * e, x, y)) / (2 * eps) for e in np.eye(3)])
    print("d loss / d w           =", dw)
    print("finite differences     =", fd)
    print("largest difference     =", float(np.max(np.abs(dw - fd))))


if __name__ == "__main__":
    main()

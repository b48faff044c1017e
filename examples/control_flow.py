"""The control-flow examples shown in docs/control-flow.md (the docs' listings are regenerated from these
and compared in the test suite)."""

import numpy as np

import srcgrad


def scalar_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sin(x * i) * np.cos(x + i)
    return s


def norm_doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def rnn(W, h, xs):
    hs = []
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


def first_crossing(x, limit):
    s = 0.0
    for i in range(100):
        s = s + np.sum(x * x) * i
        if s > limit:
            break
    return s


EXAMPLES = {
    "scalar_loop": (scalar_loop, lambda: (0.3, 1000), {}),
    "norm_doubling": (norm_doubling, lambda: (np.array([0.5, -0.3, 0.8]),), {"with_value": False}),
    "rnn": (rnn, lambda: (np.eye(4) * 0.5, np.zeros(4), np.ones((20, 4))), {"argnums": (0, 1)}),
    "first_crossing": (first_crossing, lambda: (np.array([0.1, 0.2]), 3.0), {}),
}


def listing(name: str) -> str:
    """The generated code srcgrad runs for example ``name`` with its example arguments."""
    fn, make_args, options = EXAMPLES[name]
    return srcgrad.show(fn, *make_args(), **options)


if __name__ == "__main__":
    for example in EXAMPLES:
        print(f"# {example}\n{listing(example)}")

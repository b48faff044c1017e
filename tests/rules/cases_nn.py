"""Rule-test cases for srcgrad/rules/nn_rules.py (the activations and losses of the Tensor shim's
``torch.nn.functional``), registered into cases.py's table (which loads this file at its end). Every
reduction is drawn; PyTorch's ``torch.nn.functional`` is the oracle."""

import sys

from srcgrad.rules import nn_rules

_cases = sys.modules["srcgrad_rule_test_cases"]
case, call = _cases.case, _cases.call
REAL = _cases.REAL
PROBABILITY = (0.05, 0.95, False)
REDUCTIONS = nn_rules.REDUCTIONS


def along_a_dim(d):
    shape = d.shape(1, 3, lo=1, hi=4)
    return call(d.arr(shape), d.int(-len(shape), len(shape) - 1))


def activation(d):
    return call(d.arr(d.shape(0, 3)), d.pick(("none", "tanh")))


def pair(input_domain, target_domain):
    def make(d):
        shape = d.shape(0, 3)
        return call(d.arr(shape, input_domain), d.arr(shape, target_domain), d.pick(REDUCTIONS))
    return make


def broadcast_pair(d):
    """``mse_loss`` broadcasts (PyTorch warns, then does): a target of a broadcastable shape."""
    shape = d.shape(1, 3)
    target_shape = tuple(1 if d.flag() else n for n in shape[d.int(0, len(shape) - 1):])
    return call(d.arr(shape), d.arr(target_shape), d.pick(REDUCTIONS))


def classes(d):
    n_classes = d.int(2, 5)
    if d.flag():
        batch = d.int(1, 4)
        return call(d.arr((batch, n_classes)), d.ints((batch,), 0, n_classes), d.pick(REDUCTIONS))
    return call(d.arr((n_classes,)), d.ints((), 0, n_classes), d.pick(REDUCTIONS))


def t_nn(name):
    def run(T, *args):
        return getattr(T.nn.functional, name)(*args)
    return run


def t_reduced(name):
    def run(T, input, target, reduction="mean"):
        return getattr(T.nn.functional, name)(input, target, reduction=reduction)
    return run


case(nn_rules.softmax, "drawn", along_a_dim, lambda T, x, dim: T.nn.functional.softmax(x, dim=dim))
case(nn_rules.log_softmax, "drawn", along_a_dim, lambda T, x, dim: T.nn.functional.log_softmax(x, dim=dim))
case(nn_rules.gelu, "drawn", activation, lambda T, x, approximate: T.nn.functional.gelu(x, approximate=approximate))
case(nn_rules.mse_loss, "drawn", pair(REAL, REAL), t_reduced("mse_loss"))
case(nn_rules.mse_loss, "broadcast", broadcast_pair, None)
case(nn_rules.nll_loss, "drawn", classes, t_reduced("nll_loss"))
case(nn_rules.binary_cross_entropy, "drawn", pair(PROBABILITY, PROBABILITY), t_reduced("binary_cross_entropy"))
case(nn_rules.binary_cross_entropy_with_logits, "drawn", pair(REAL, PROBABILITY),
     t_reduced("binary_cross_entropy_with_logits"))

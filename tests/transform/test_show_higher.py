"""``srcgrad.show`` on higher-order derivatives: the whole generated code, every piece it runs, commented
with the user's lines."""

import inspect
import re

import numpy as np
import pytest

import srcgrad


def _scaled(v, k):
    return np.sum(np.exp(v * k))


def loss(x):
    s = 0.0
    for k in range(2):
        s = s + _scaled(x, k + 1)
    return s * np.prod(x) + np.sum(x ** 3)


def quintic(t):
    return np.sin(t) * t ** 3


X = np.array([0.4, -0.7, 0.9])
LINE = re.compile(r"^\s*# line (\d+)(?:, in (\w+))?: (.*)$")


def section(listing: str, number: int) -> str:
    start = listing.index(f"\n# {number}. ")
    end = listing.find(f"\n# {number + 1}. ", start)
    return listing[start:] if end < 0 else listing[start:end]


def user_lines(fn) -> dict[int, str]:
    lines, start = inspect.getsourcelines(fn)
    return {start + i: text.strip() for i, text in enumerate(lines)}


def test_hessian_listing_has_every_piece_in_order():
    listing = srcgrad.show(srcgrad.hessian(loss), X)
    forward, reverse, helpers = section(listing, 1), section(listing, 2), section(listing, 3)
    # the helper _scaled is inlined: its lines are quoted with its name, and it has no code of its own
    assert "def loss_jvp(x, d_x):" in forward and ", in _scaled: return np.sum(np.exp(v * k))" in forward
    assert "def loss_jvp_grad(x, d_x):" in reverse and ", in _scaled: " in reverse
    assert "def scaled_jvp" not in listing
    assert "def prod_jvp_grad(" in helpers  # the tangent of np.prod is Python that reverse mode transformed
    for piece in (forward, reverse, helpers):
        compile(piece, "<listing>", "exec")  # each section is valid Python, as printed


@pytest.mark.parametrize("number", [1, 2])
def test_forward_and_reverse_sections_are_commented_with_the_users_lines(number):
    listing = section(srcgrad.show(srcgrad.hessian(loss), X), number)
    expected = {**user_lines(loss), **user_lines(_scaled)}
    comments = [LINE.match(line) for line in listing.splitlines() if LINE.match(line)]
    assert len(comments) >= 5
    assert {m.group(2) for m in comments} == {None, "_scaled"}
    for match in comments:
        assert expected[int(match.group(1))] == match.group(3).strip()
        assert (match.group(2) == "_scaled") == (int(match.group(1)) in user_lines(_scaled))


def test_the_listing_runs_the_code_hessian_runs():
    listing = srcgrad.show(srcgrad.hessian(loss), X)
    hvp_listing = srcgrad.show(srcgrad.hvp, loss, X)
    assert hvp_listing.startswith("# hvp of loss")
    assert hvp_listing.split("\n", 1)[1] == listing.split("\n", 1)[1]
    assert np.all(np.isfinite(srcgrad.hessian(loss)(X)))
    assert srcgrad.show(srcgrad.hessian(loss), X) == listing  # stable once generated


def test_derivative_and_grad_of_grad_listings():
    listing = srcgrad.show(srcgrad.grad(srcgrad.grad(srcgrad.grad(quintic))), 0.7)
    assert listing.startswith("# derivative 3 of quintic")
    for level, name in [(1, "quintic_jvp("), (2, "quintic_jvp_jvp("), (3, "quintic_jvp_jvp_jvp(")]:
        assert f"# level {level}: " in listing and f"def {name}" in listing
    assert srcgrad.show(srcgrad.grad(srcgrad.grad(quintic)), 0.7).count("# level ") == 2


def test_jacobian_listings():
    forward = srcgrad.show(srcgrad.jacfwd(loss), X)
    assert forward.startswith("# jacfwd of loss") and "def loss_jvp(x, d_x):" in forward
    assert ", in _scaled: " in forward
    reverse = srcgrad.show(srcgrad.jacrev(loss), X)
    assert reverse.startswith("# jacrev of loss") and "def loss_grad(" in reverse


def test_higher_order_show_needs_examples():
    with pytest.raises(ValueError, match="needs example arguments"):
        srcgrad.show(srcgrad.hessian(loss))
    with pytest.raises(ValueError, match="needs the function and an example"):
        srcgrad.show(srcgrad.hvp, loss)

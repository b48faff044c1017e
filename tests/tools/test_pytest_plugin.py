"""The pytest plugin, seen from a user's project: installing srcgrad gives its tests a ``check_grads``
fixture, found through the ``pytest11`` entry point (no conftest, no import of srcgrad's plugin)."""

from __future__ import annotations

from importlib.metadata import entry_points

# pytest accepts pytest_plugins in a test module, but not in a conftest below the root (see conftest.py).
pytest_plugins = ["pytester"]

USER_TESTS = '''
import numpy as np
import srcgrad


def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2)


def square(x):
    return x * x


srcgrad.defvjp(square, lambda g, ans, x: g * 3 * x)  # a wrong rule: the check must catch it


def uses_square(x):
    return np.sum(square(x))


def test_correct_gradient(check_grads):
    check_grads(loss, (np.array([0.1, -0.2]), np.ones((3, 2))), order=2)


def test_wrong_rule(check_grads):
    check_grads(uses_square, (np.array([1.0, 2.0]),))
'''


def test_the_plugin_is_registered_as_an_entry_point():
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins.get("srcgrad") == "srcgrad.pytest_plugin"


def test_check_grads_fixture_in_a_separate_project(pytester):
    pytester.makepyfile(test_user_model=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert "plugins:" in output and "srcgrad-" in output
    for expected in ("check_grads(uses_square): srcgrad's gradient disagrees with central finite differences",
                     "d/d args[0][0]: srcgrad 3.0, finite differences 2.0",
                     "def uses_square_grad(x, d_out):"):
        assert expected in output


def test_the_fixture_is_srcgrad_testing_check_grads(pytester):
    pytester.makepyfile(test_identity='''
        import srcgrad.testing

        def test_it(check_grads):
            assert check_grads is srcgrad.testing.check_grads
    ''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)

"""``python -m srcgrad``, run as a subprocess the way users run it: every command, and the error paths
(exit status 2 and exactly one line on stderr)."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pytest
from conftest import DATA, ROOT, run_srcgrad

import srcgrad
from srcgrad.cli import main
from srcgrad.cli.colors import strip_ansi
from srcgrad.cli.loading import load_target
from srcgrad.pipeline import reverse_transform

MODEL = textwrap.dedent('''
    import numpy as np
    import srcgrad


    def loss(w, x, y):
        h = np.tanh(x @ w)
        return np.mean((h - y) ** 2)


    def square(x):
        return x * x


    def wrong_square_rule(g, ans, x):
        return g * 3 * x  # deliberately wrong: d(x*x)/dx is 2x


    srcgrad.defvjp(square, wrong_square_rule)


    def uses_square(x):
        return np.sum(square(x))


    def unsupported(x):
        try:
            return x
        except ValueError:
            return x


    class Model:
        def energy(self, x, scale):
            return scale * np.sum(x ** 2)


    model = Model()
    NOT_A_FUNCTION = 3
''')
LOSS_ARGS = "(np.linspace(0.1, 0.3, 3), np.arange(6.0).reshape(2, 3) / 6, np.array([0.5, -0.5]))"


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "my-model.py"
    path.write_text(MODEL)
    return path


def line_of(text: str) -> int:
    """The line of MODEL's file that contains ``text``."""
    return next(i for i, line in enumerate(MODEL.splitlines(), 1) if text in line)


def printed(source: str) -> str:
    return source if source.endswith("\n") else source + "\n"


def assert_usage_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "error:" in lines[0]
    for fragment in fragments:
        assert fragment in lines[0]


def test_show_prints_the_generated_code(model_file):
    result = run_srcgrad("show", f"{model_file}:loss")
    assert result.returncode == 0, result.stderr
    fn = load_target(f"{model_file}:loss")
    assert result.stdout == printed(srcgrad.show(fn))
    assert "\x1b[" not in result.stdout  # stdout is a pipe: no colors
    assert f"# line {line_of('h = np.tanh(x @ w)')}: h = np.tanh(x @ w)" in result.stdout


def test_show_with_args_and_argnums_specializes(model_file):
    result = run_srcgrad("show", f"{model_file}:loss", "--argnums", "0,1", "--args", LOSS_ARGS)
    assert result.returncode == 0, result.stderr
    fn = load_target(f"{model_file}:loss")
    args = eval(LOSS_ARGS, {"np": np})
    assert result.stdout == printed(srcgrad.show(fn, *args, argnums=(0, 1)))
    assert "return (d_w, d_x)" in result.stdout


def test_show_unoptimized_is_the_pipeline_before_dead_code_elimination(model_file):
    result = run_srcgrad("show", f"{model_file}:loss", "--unoptimized")
    assert result.returncode == 0, result.stderr
    fn = load_target(f"{model_file}:loss")
    expected = reverse_transform(fn, (0,), with_value=False, optimize=False).source
    assert result.stdout == printed(expected)
    assert result.stdout != printed(srcgrad.show(fn))


def test_show_passes_prints_the_code_after_each_pass(model_file):
    result = run_srcgrad("show", f"{model_file}:loss", "--passes", "--color", "never")
    assert result.returncode == 0, result.stderr
    fn = load_target(f"{model_file}:loss")
    assert result.stdout == printed(srcgrad.show(fn, passes=True))
    assert result.stdout.startswith("# ---- the reverse transformation, before any optimization\n")
    assert "# ---- after dead-code: " in result.stdout
    refused = run_srcgrad("show", f"{model_file}:loss", "--passes", "--mode", "forward")
    assert refused.returncode == 2 and "--passes shows reverse mode's optimizations" in refused.stderr


def test_show_compile_prints_the_code_numba_compiles(model_file):
    result = run_srcgrad("show", f"{model_file}:loss", "--args", LOSS_ARGS, "--compile", "numba", "--color", "never")
    assert result.returncode == 0, result.stderr
    fn = load_target(f"{model_file}:loss")
    args = eval(LOSS_ARGS, {"np": np})
    assert result.stdout == printed(srcgrad.show(fn, *args, compile="numba"))
    assert f"# line {line_of('h = np.tanh(x @ w)')}: h = np.tanh(x @ w)" in result.stdout
    assert "numpy_tanh(" in result.stdout   # large arrays' tanh through NumPy's loop
    refused = run_srcgrad("show", f"{model_file}:loss", "--compile", "numba", "--passes")
    assert refused.returncode == 2 and "--compile shows reverse mode's compiled code" in refused.stderr


def test_show_colors_on_request_and_stripping_them_gives_the_plain_text(model_file):
    colored = run_srcgrad("show", f"{model_file}:loss", "--color", "always")
    plain = run_srcgrad("show", f"{model_file}:loss")
    assert colored.returncode == 0
    assert "\x1b[1;35mdef\x1b[0m" in colored.stdout
    assert strip_ansi(colored.stdout) == plain.stdout


def test_show_a_bound_method(model_file):
    result = run_srcgrad("show", f"{model_file}:model.energy", "--args", "(np.ones(2), 3.0)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def energy_grad(self, x, scale, d_out):")


def test_forward_mode(model_file):
    shown = run_srcgrad("show", f"{model_file}:loss", "--mode", "forward", "--color", "never")
    assert shown.returncode == 0, shown.stderr
    assert "def loss_jvp(" in shown.stdout
    checked = run_srcgrad("check", f"{model_file}:loss", "--args", LOSS_ARGS, "--mode", "forward")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("PASS")


def test_show_hessian(model_file):
    shown = run_srcgrad("show", f"{model_file}:loss", "--mode", "hessian", "--args", LOSS_ARGS, "--color", "never")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# hessian of loss: reverse mode over forward mode")
    assert "def loss_jvp(" in shown.stdout and "def loss_jvp_grad(" in shown.stdout
    missing_args = run_srcgrad("show", f"{model_file}:loss", "--mode", "hessian")
    assert missing_args.returncode == 2 and "--mode hessian needs --args" in missing_args.stderr


@pytest.mark.parametrize(("target", "fragment"), [
    ("missing.py:loss", "no such file: missing.py"),
    ("{model}:nope", "has no attribute 'nope'"),
    ("{model}:model.nope", "has no attribute 'nope'"),
    ("{model}", "expected path/to/file.py:function"),
    ("{model}:NOT_A_FUNCTION", "is not a function"),
])
def test_wrong_paths_and_names(model_file, target, fragment):
    assert_usage_error(run_srcgrad("show", target.format(model=model_file)), fragment)


def test_a_file_that_fails_to_import(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\n\nraise RuntimeError('boom')\n")
    assert_usage_error(run_srcgrad("show", f"{broken}:f"), "importing", "line 3", "RuntimeError: boom")


def test_bad_args_expression_and_argnums(model_file):
    assert_usage_error(run_srcgrad("show", f"{model_file}:loss", "--args", "np.nope(3)"), "cannot evaluate --args")
    assert_usage_error(run_srcgrad("show", f"{model_file}:loss", "--argnums", "7"), "argnums 7 is out of range")
    assert_usage_error(run_srcgrad("show", f"{model_file}:loss", "--argnums", "a,b"), "--argnums takes integers")


def test_code_srcgrad_cannot_differentiate_is_a_located_error(model_file):
    result = run_srcgrad("show", f"{model_file}:unsupported")
    assert result.returncode == 1
    assert f"{model_file}:{line_of('try:')}" in result.stderr
    assert "hint:" in result.stderr


def test_check_passes(model_file):
    result = run_srcgrad("check", f"{model_file}:loss", "--args", LOSS_ARGS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("PASS loss")
    assert "11 first derivatives agree" in result.stdout


def test_check_second_order(model_file):
    result = run_srcgrad("check", f"{model_file}:model.energy", "--args", "(np.array([0.5, -1.0]), 2.0)",
                         "--order", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "first and second derivatives agree" in result.stdout


def test_check_fails_with_details(model_file):
    result = run_srcgrad("check", f"{model_file}:uses_square", "--args", "np.array([1.0, 2.0])")
    assert result.returncode == 1
    out = result.stdout
    assert out.startswith("FAIL uses_square")
    assert "d/d args[0][0]: srcgrad 3.0, finite differences 2.0" in out
    assert "d/d args[0][1]: srcgrad 6.0, finite differences 4.0" in out
    assert "def uses_square_grad(x, d_out):" in out
    assert f"# line {line_of('return np.sum(square(x))')}: return np.sum(square(x))" in out


def test_check_errors(model_file):
    assert_usage_error(run_srcgrad("check", f"{model_file}:loss", "--args", "(1, 2)"), "--args do not fit loss")
    assert_usage_error(run_srcgrad("check", f"{model_file}:loss", "--args", "(np.arange(3), np.ones((2, 3)), 1)",
                                   "--argnums", "0"), "argument 0 has no floating-point entries")
    missing = run_srcgrad("check", f"{model_file}:loss")
    assert_usage_error(missing, "--args")


def test_tutorial_prints_what_pytorch_prints():
    result = run_srcgrad("tutorial")
    assert result.returncode == 0, result.stderr
    ours = re.sub(r"0x[0-9a-f]+", "0x...", result.stdout).splitlines()
    reference = (DATA / "tutorial.pytorch-output.txt").read_text().splitlines()
    assert len(ours) == len(reference)
    random_lines = {15, 16, 17}  # the randn cells: PyTorch's generator is not NumPy's; compare the format
    for i, (line, expected) in enumerate(zip(ours, reference)):
        if i not in random_lines:
            assert line == expected, f"line {i + 1}"
    assert re.fullmatch(r"tensor\(\[ *-?[\d.]+, +-?[\d.]+, +-?[\d.]+\], grad_fn=<MulBackward0>\)", ours[15])
    assert re.fullmatch(r"tensor\(\[[\de.+-]+, [\de.+-]+, [\de.+-]+\]\)", ours[16])
    assert ours[17].isdigit()


def test_tutorial_source():
    result = run_srcgrad("tutorial", "--source")
    assert result.returncode == 0
    assert "import torch" in result.stdout


@pytest.mark.parametrize("command", [[], ["show"], ["check"], ["tutorial"]])
def test_help(command):
    result = run_srcgrad(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m srcgrad")


def test_no_or_unknown_command():
    assert_usage_error(run_srcgrad(), "choose a command")
    assert_usage_error(run_srcgrad("frobnicate"), "invalid choice")


def test_main_in_process(model_file, capsys):
    """The same entry point, called directly (how the subprocess tests' exit codes come about)."""
    assert main(["show", f"{model_file}:loss", "--color", "never"]) == 0
    assert capsys.readouterr().out.startswith("def loss_grad(w, x, y, d_out):")
    assert main(["show", f"{model_file}:loss", "--mode", "forward", "--color", "never"]) == 0
    assert "_jvp(" in capsys.readouterr().out


def test_module_name_from_path(tmp_path):
    from srcgrad.cli.loading import module_name
    assert module_name(tmp_path / "a-b c.py") == "a_b_c"
    assert module_name(tmp_path / "2nd.py") == "_2nd"
    assert module_name(tmp_path / "numpy.py") == "_srcgrad_numpy"  # never shadows an imported module
    assert module_name(tmp_path / "json.py") == "_srcgrad_json"  # nor one of the standard library


def test_examples_directory_is_usable(tmp_path):
    result = run_srcgrad("show", str(ROOT / "examples" / "rnn.py") + ":loss")
    assert result.returncode == 0, result.stderr
    assert "for t in reversed(" in result.stdout

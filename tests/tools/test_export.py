"""``srcgrad.export_module`` and ``python -m srcgrad export``: the written module runs where srcgrad cannot
be imported, gives srcgrad's gradient bit for bit and agrees with finite differences, passes ruff, and a
gradient that needs srcgrad at run time is refused by name."""

from __future__ import annotations

import importlib.util
import inspect
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad.testing import check_grads


def mlp(W, b, x, y):
    h = np.tanh(x @ W + b)
    return np.mean((h - y) ** 2)


def rosenbrock_loop(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def heat(u0, c):
    u = u0
    for _ in range(5):
        u = u[1:-1] + c * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return np.sum(u * u)


def softplus_sum(w, x):
    z = x @ w
    return np.sum(np.logaddexp(0.0, z)) + 0.5 * np.sum(w * w)


def scalar_loop(x):
    total = 0.0
    for i in range(20):
        total = total + np.sin(x * i) * np.cos(x + i)
    return total


def bilinear(W, x, z):
    return np.sum(np.einsum("ni,kij,nj->nk", x, W, z) ** 2)


def _helper(v):
    return np.sqrt(v * v + 1.0)


def with_helper(x):
    return np.sum(_helper(x) * x)


RNG = np.random.default_rng(3)
CASES = {
    "mlp": (mlp, (RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=(5, 4)), RNG.normal(size=(5, 3))),
            (0, 1)),
    "rosenbrock_loop": (rosenbrock_loop, (np.linspace(-1.0, 1.5, 7),), 0),
    "heat": (heat, (np.linspace(0.0, 1.0, 16) ** 2, 0.2), (0, 1)),
    "softplus_sum": (softplus_sum, (RNG.normal(size=3), RNG.normal(size=(6, 3))), 0),
    "scalar_loop": (scalar_loop, (0.37,), 0),
    "bilinear": (bilinear, (RNG.normal(size=(2, 3, 3)), RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))), 0),
    "with_helper": (with_helper, (RNG.normal(size=4),), 0),
}

RUNNER = textwrap.dedent("""
    import json, sys
    sys.modules["srcgrad"] = None          # the exported module must not need it
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    import exported
    args = [np.asarray(a) if isinstance(a, list) else a for a in json.loads(sys.argv[2])]
    name = sys.argv[3]
    result = getattr(exported, name)(*args, 1.0)
    print(json.dumps([np.asarray(r).tolist() for r in result]))
""")


def _as_json(value):
    return value.tolist() if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize("name", CASES)
def test_the_exported_gradient_runs_without_srcgrad(name, tmp_path):
    fn, args, argnums = CASES[name]
    text = srcgrad.export_module(fn, *args, argnums=argnums)
    assert "import srcgrad" not in text and "from srcgrad" not in text
    assert f"{fn.__name__}_grad" in text and "written by srcgrad" in text
    (tmp_path / "exported.py").write_text(text)
    done = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path), json.dumps([_as_json(a) for a in args]),
                           f"{fn.__name__}_grad"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    exported = [np.asarray(g) for g in json.loads(done.stdout)]
    expected = srcgrad.grad(fn, argnums=argnums)(*args)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(exported) == len(expected)
    for got, want in zip(exported, expected):
        assert got.shape == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    check_grads(fn, args, argnums=argnums)   # srcgrad's, which the exported one equals, against finite differences


def test_the_exported_module_passes_ruff(tmp_path):
    ruff = shutil.which("ruff") or (str(Path(sys.executable).with_name("ruff"))
                                   if Path(sys.executable).with_name("ruff").exists() else None)
    if ruff is None:
        pytest.skip("ruff is not installed")
    for name, (fn, args, argnums) in CASES.items():
        (tmp_path / f"{name}.py").write_text(srcgrad.export_module(fn, *args, argnums=argnums))
    if importlib.util.find_spec("numba") is not None:   # and the modules compiled with Numba
        for name in ("rosenbrock_loop", "heat", "scalar_loop"):
            fn, args, argnums = CASES[name]
            (tmp_path / f"{name}_numba.py").write_text(srcgrad.export_module(fn, *args, argnums=argnums,
                                                                               compile="numba"))
    done = subprocess.run([ruff, "check", "--no-cache", "--isolated", "--select", "E,F,W,I", "--line-length", "200",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_forward_mode_is_exported_too(tmp_path):
    text = srcgrad.export_module(heat, *CASES["heat"][1], argnums=0, mode="forward")
    namespace: dict = {}
    exec(compile(text, "exported.py", "exec"), namespace)
    u0, c = CASES["heat"][1]
    tangent = np.linspace(1.0, -1.0, u0.shape[0])
    value, derivative = namespace["heat_jvp"](u0, c, tangent)
    _, expected = srcgrad.jvp(lambda u: heat(u, c), (u0,), (tangent,))
    assert value == pytest.approx(heat(u0, c), rel=1e-14)
    assert derivative == pytest.approx(expected, rel=1e-12)


def recursive(x, n):
    if n == 0:
        return x * x
    return recursive(x, n - 1) * 0.5


def test_code_that_needs_srcgrad_at_run_time_is_refused_by_name():
    with pytest.raises(srcgrad.ExportError, match=r"calls_recursion \(.*test_export\.py:\d+\) calls "
                                                  r"srcgrad\.runtime\.call_\w+, which runs srcgrad itself: "
                                                  r"a callee it transforms while the code runs"):
        srcgrad.export_module(calls_recursion, 1.5)


def calls_recursion(x):
    return recursive(x, 3)


def test_the_command_line_writes_the_module(tmp_path):
    source = tmp_path / "model.py"
    source.write_text("import numpy as np\n\n\ndef loss(w, x):\n    return np.sum(np.tanh(x @ w) ** 2)\n")
    target = tmp_path / "loss_grad.py"
    done = subprocess.run([sys.executable, "-m", "srcgrad", "export", f"{source}:loss", "--args",
                           "(np.ones(3) * 0.1, np.arange(6.0).reshape(2, 3))", "-o", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    namespace: dict = {}
    exec(compile(target.read_text(), str(target), "exec"), namespace)
    w, x = np.ones(3) * 0.1, np.arange(6.0).reshape(2, 3)
    (gradient,) = namespace["loss_grad"](w, x, 1.0)
    np.testing.assert_allclose(gradient, 2 * ((np.tanh(x @ w) * (1 - np.tanh(x @ w) ** 2)) @ x), rtol=1e-12)
    bad = subprocess.run([sys.executable, "-m", "srcgrad", "export", f"{source}:loss", "--args", "(1.0,)"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--args do not fit loss" in bad.stderr


def test_the_version_in_the_header_is_the_package_version():
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    declared = next(line.split("=")[1].strip().strip('"') for line in pyproject.splitlines()
                    if line.startswith("version"))
    assert srcgrad.__version__ == declared
    assert f"written by srcgrad {declared}." in srcgrad.export_module(scalar_loop, 0.5)


def test_arguments_of_another_shape_are_refused_not_given_a_wrong_gradient():
    """The code holds the example's shapes (a mean over 5 rows divides by 5): other arguments are refused."""
    namespace: dict = {}
    exec(compile(srcgrad.export_module(mlp, *CASES["mlp"][1], argnums=(0, 1)), "exported.py", "exec"), namespace)
    W, b, x, y = CASES["mlp"][1]
    namespace["mlp_grad"](W, b, x, y, 1.0)
    with pytest.raises(ValueError, match=r"x: this gradient was written for ndarray \(5, 4\) float64, not "
                                         r"ndarray \(6, 4\) float64; export it again"):
        namespace["mlp_grad"](W, b, np.ones((6, 4)), np.ones((6, 3)), 1.0)
    with pytest.raises(ValueError, match=r"W: .* not ndarray \(4, 3\) float32"):
        namespace["mlp_grad"](W.astype(np.float32), b, x, y, 1.0)


# --- in an environment without srcgrad, and compiled with Numba -------------------------------------------------

FRESH_RUNNER = textwrap.dedent("""
    import importlib.util, json, sys
    try:
        import srcgrad  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("srcgrad is importable here")
    import numpy as np
    path, name, source, function, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
    spec = importlib.util.spec_from_file_location("exported", path)
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    args = [np.asarray(a) if isinstance(a, list) else a for a in args]
    gradient = getattr(exported, name)(*args, 1.0)[0]
    namespace = {"np": np}
    exec(source, namespace)                       # the user's function, for finite differences
    f, x, eps = namespace[function], args[0], 1e-6
    flat = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
    numeric = []
    for i in range(flat.size):
        step = np.zeros_like(flat)
        step[i] = eps
        def at(v):
            return f(v.reshape(np.shape(x)) if np.ndim(x) else float(v[0]), *args[1:])
        numeric.append((at(flat + step) - at(flat - step)) / (2 * eps))
    print(json.dumps({"gradient": np.asarray(gradient).tolist(), "numeric": numeric,
                      "numba": "numba" in sys.modules}))
""")


def _environment_without_srcgrad(root: Path, packages: list[str]) -> Path:
    """A virtual environment holding only ``packages`` (linked from this one): srcgrad is not importable."""
    import importlib.util
    import venv

    venv.EnvBuilder(with_pip=False, symlinks=True).create(root / "env")
    python = root / "env" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    linked = root / "linked"
    linked.mkdir()
    for package in packages:
        location = Path(importlib.util.find_spec(package).origin).parent
        (linked / package).symlink_to(location)
        libs = location.parent / f"{package}.libs"   # a wheel's bundled shared libraries
        if libs.exists():
            (linked / libs.name).symlink_to(libs)
    (Path(site) / "linked.pth").write_text(str(linked) + "\n")
    return python


@pytest.mark.parametrize("compile", [None, "numba"])
@pytest.mark.parametrize("name", ["rosenbrock_loop", "scalar_loop", "heat"])
def test_an_exported_gradient_runs_in_an_environment_without_srcgrad(name, compile, tmp_path):
    if compile == "numba":
        pytest.importorskip("numba", reason="compile='numba' needs Numba: pip install 'srcgrad[numba]'")
    fn, args, argnums = CASES[name]
    text = srcgrad.export_module(fn, *args, argnums=0, compile=compile)
    assert ("@numba.njit(cache=True, error_model=\"numpy\")" in text) == (compile == "numba")
    path = tmp_path / "exported.py"
    path.write_text(text)
    python = _environment_without_srcgrad(tmp_path, ["numpy"] + (["numba", "llvmlite"] if compile else []))
    done = subprocess.run([str(python), "-c", FRESH_RUNNER, str(path), f"{fn.__name__}_grad",
                           textwrap.dedent(inspect.getsource(fn)), fn.__name__,
                           json.dumps([_as_json(a) for a in args])],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["numba"] == (compile == "numba")
    gradient = np.atleast_1d(np.asarray(result["gradient"]))
    np.testing.assert_allclose(gradient.ravel(), result["numeric"], rtol=1e-6, atol=1e-7)
    expected = srcgrad.grad(fn)(*args)
    np.testing.assert_allclose(gradient, np.atleast_1d(expected), rtol=1e-12, atol=1e-14)
    if compile == "numba":   # Numba's on-disk cache, beside the module
        assert any(p.suffix == ".nbi" for p in (tmp_path / "__pycache__").iterdir())


def test_a_numba_export_refuses_forward_mode_and_unknown_compilers():
    fn, args, _ = CASES["scalar_loop"]
    with pytest.raises(srcgrad.ExportError, match="compile='numba' exports reverse mode"):
        srcgrad.export_module(fn, *args, mode="forward", compile="numba")
    with pytest.raises(ValueError, match="compile must be None or 'numba'"):
        srcgrad.export_module(fn, *args, compile="jit")


def row_max_loss(W, x):
    z = x @ W
    return np.sum(z - np.max(z, axis=1, keepdims=True))


def test_a_numba_export_of_code_outside_numbas_subset_is_refused_at_its_line():
    pytest.importorskip("numba", reason="compile='numba' needs Numba: pip install 'srcgrad[numba]'")
    with pytest.raises(srcgrad.CompileError, match=r"row_max_loss \(.*test_export.py:\d+\): Untyped global name "
                                                    r"'extremum_grad'.* \(at line \d+: return np\.sum\(z - np\.max"):
        srcgrad.export_module(row_max_loss, RNG.normal(size=(3, 2)), RNG.normal(size=(4, 3)), compile="numba")


def test_the_command_line_exports_a_compiled_gradient(tmp_path):
    pytest.importorskip("numba", reason="compile='numba' needs Numba: pip install 'srcgrad[numba]'")
    source = tmp_path / "model.py"
    source.write_text(textwrap.dedent(inspect.getsource(rosenbrock_loop)).replace("def ", "import numpy as np\n\n\n"
                                                                                  "def ", 1))
    target = tmp_path / "loss_grad.py"
    done = subprocess.run([sys.executable, "-m", "srcgrad", "export", f"{source}:rosenbrock_loop", "--args",
                           "(np.linspace(-1.0, 1.5, 7),)", "--compile", "numba", "-o", str(target)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    assert "@numba.njit(cache=True, error_model=\"numpy\")" in text and "def rosenbrock_loop_grad(x, d_out):" in text

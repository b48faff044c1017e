"""Every example added with the tools runs: the tutorial on the shim, the RNN, gradient surgery, and the
MLP with its loss-curve plot (with and without matplotlib)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
from conftest import ROOT


def load_example(name: str):
    """Import examples/<name>.py under a name of its own, the way the tests of other examples do."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_tutorial_on_the_shim(capsys):
    had_torch = "torch" in sys.modules
    load_example("tutorial_shim").main()
    out = capsys.readouterr().out
    assert "tensor(4.5000, grad_fn=<MeanBackward0>)" in out
    assert "element 0 of tensors does not require grad and does not have a grad_fn" in out
    assert "d loss / d w = tensor([ 1.0000, -3.5000, -1.0000])" in out
    assert ("torch" in sys.modules) == had_torch  # the alias is gone again


def test_rnn_gradient_check_and_training(capsys):
    rnn = load_example("rnn")
    losses = rnn.main(steps=60)
    out = capsys.readouterr().out
    assert "gradient check: 31 entries agree with finite differences" in out
    assert np.mean(losses[-10:]) < 0.5 * losses[0]


def test_gradient_surgery(capsys):
    results = load_example("gradient_surgery").main()  # the example asserts the edited gradients itself
    assert np.linalg.norm(results["clipped"]) < np.linalg.norm(results["plain"])
    out = capsys.readouterr().out
    assert "call_with_vjp(clip_gradient" in out


def test_mlp_training_plot_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    result = load_example("mlp_training_plot").main(["--out", str(tmp_path), "--steps", "40"])
    assert result["plot"] is None
    assert len(result["losses"]) == 40 and result["losses"][-1] < result["losses"][0]
    assert "skipped the plot" in capsys.readouterr().out
    assert not (tmp_path / "loss_curve.png").exists()


def test_mlp_training_plot_with_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_example("mlp_training_plot").main(["--out", str(tmp_path), "--steps", "20"])
    assert result["plot"] == tmp_path / "loss_curve.png"
    assert result["plot"].read_bytes().startswith(b"\x89PNG")


def test_distributed_logistic_regression(capsys):
    pytest.importorskip("dask.array")
    pytest.importorskip("distributed")
    example = load_example("distributed_logreg")
    runs = example.main(["--quick", "--compare", "--trace"])
    distributed, numpy = runs["distributed"], runs["numpy"]
    assert len(distributed.losses) == 5 and distributed.losses[-1] < distributed.losses[0] - 0.1
    np.testing.assert_allclose(distributed.w, numpy.w, rtol=1e-10, atol=1e-14)
    assert abs(distributed.b - numpy.b) < 1e-12 and abs(distributed.b) > 1e-3
    assert set(distributed.traced_peak) == {"client", "worker 1", "worker 2"}
    assert all(distributed.traced_peak[w] > 0 for w in ("worker 1", "worker 2"))
    captured = capsys.readouterr()
    assert "[##############################] 5/5 loss" in captured.err  # the progress bar, on stderr
    assert "| dask.distributed |" in captured.out and "| plain NumPy |" in captured.out

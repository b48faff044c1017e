"""Train the two-moons MLP of ``mlp_two_moons.py`` with plain gradient descent and plot its loss curve.

The model, data and training loop are those of ``mlp_two_moons.py`` (gradients by ``srcgrad.value_and_grad``
with respect to a dict of parameters). The plot is saved as ``loss_curve.png`` in ``--out`` when matplotlib
is installed (``pip install "srcgrad[examples]"``); without it the example still trains and prints the
curve's summary, and says that it skipped the plot.

Run: python examples/mlp_training_plot.py --out /tmp/plots
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mlp_two_moons  # the neighbouring example, importable once its folder is on the path


def plot_losses(losses: list[float], path: Path) -> bool:
    """Save the loss curve as a PNG; False when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(range(len(losses)), losses)
    axes.set_xlabel("gradient-descent step")
    axes.set_ylabel("mean binary cross-entropy")
    axes.set_title("two moons, 2-16-16-1 tanh MLP, gradients by srcgrad")
    axes.set_yscale("log")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for loss_curve.png")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    options = parser.parse_args(argv)

    _, losses, accuracy = mlp_two_moons.train(steps=options.steps, learning_rate=options.learning_rate)
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} in {len(losses)} steps; training accuracy {accuracy:.3f}")
    options.out.mkdir(parents=True, exist_ok=True)
    path = options.out / "loss_curve.png"
    plotted = plot_losses(losses, path)
    print(f"saved {path}" if plotted else "matplotlib is not installed: skipped the plot")
    return {"losses": losses, "accuracy": accuracy, "plot": path if plotted else None}


if __name__ == "__main__":
    main()

"""The summaries printed at the end of a test run: the soundness suite's outcomes per category and what the
reliability tests exercised.

Both are counted in module state of the process that runs the tests. Under pytest-xdist that is one of
several workers, so each worker hands its counts to the controller when it finishes (``export``), the
controller adds them to its own (``merge``), and the summaries are printed once, over the whole run."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def _modules() -> tuple[Any, Any]:
    """``soundness_check`` and the reliability tests' ``Tally`` (their directories import them by name)."""
    for directory in ("soundness", "reliability"):
        path = str(_HERE / directory)
        if path not in sys.path:
            sys.path.insert(0, path)
    import programs
    import soundness_check

    return soundness_check, programs.Tally


def _tally_fields(tally: type) -> dict[str, Any]:
    return {name: value for name, value in vars(tally).items()
            if not name.startswith("_") and isinstance(value, (int, Counter, set))}


def export() -> str:
    """This process's counts, as JSON."""
    soundness, tally = _modules()
    fields = {name: sorted(value) if isinstance(value, set) else value
              for name, value in _tally_fields(tally).items()}
    return json.dumps({"soundness": soundness.RESULTS, "tally": fields})


def merge(text: str) -> None:
    """Add a worker's counts (``export``'s JSON) to this process's."""
    soundness, tally = _modules()
    data = json.loads(text)
    for case_id, by_mode in data["soundness"].items():
        soundness.RESULTS[case_id].update({mode: tuple(outcome) for mode, outcome in by_mode.items()})
    current = _tally_fields(tally)
    for name, value in data["tally"].items():
        mine = current.get(name)
        if isinstance(mine, Counter):
            mine.update(value)
        elif isinstance(mine, set):
            mine.update(value)
        elif isinstance(mine, int):
            setattr(tally, name, mine + value)


def write_reliability(reporter: Any) -> None:
    _, tally = _modules()
    if tally.programs or tally.rejected:
        reporter.write_line(
            f"random programs: {tally.programs} checked (reverse, forward, finite differences, shim), "
            f"{tally.rejected} discarded as not smooth at the drawn point; "
            f"{tally.programs - tally.refused_programs} with a correct gradient, exercising "
            f"{len(tally.constructs)} constructs:")
        reporter.write_line("  " + ", ".join(f"{name} {count}" for name, count in sorted(tally.constructs.items())))
        reporter.write_line(
            f"  refused with a located SrcgradError: {tally.refused_programs}, by the construct at the error's "
            "line: " + (", ".join(f"{name} {count}" for name, count in sorted(tally.refused.items())) or "none"))
        reporter.write_line(
            f"  forward mode refused where reverse mode agreed: {tally.forward_refused}; shim checked against "
            f"finite differences (reverse mode refused): {tally.shim_against_fd}; shim check skipped (PyTorch "
            f"refuses to backpropagate through a saved value updated in place): {tally.shim_skipped}")
    if tally.hostile:
        reporter.write_line(
            f"hostile front-end programs: {tally.hostile} rejected at the right file and line, "
            f"{len(tally.hostile_constructs)} rejected constructs in {len(tally.hostile_contexts)} contexts")
    if tally.callables:
        reporter.write_line(f"unusual callables: {len(tally.callables)} kinds checked: "
                            + ", ".join(sorted(tally.callables)))


def write_soundness(reporter: Any, refusals: bool) -> None:
    soundness, _ = _modules()
    if not soundness.RESULTS:
        return
    reporter.write_line("")
    for line in soundness.summary(refusals=refusals, width=220).split("\n"):
        reporter.write_line(line)

"""Make this directory's helpers importable, and report at the end of the run how many random programs and
front-end constructs the reliability tests exercised."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from programs import Tally

    if Tally.programs or Tally.rejected:
        terminalreporter.write_line(
            f"random programs: {Tally.programs} checked (reverse, forward, finite differences, shim), "
            f"{Tally.rejected} discarded as not smooth at the drawn point; "
            f"{Tally.programs - Tally.refused_programs} with a correct gradient, exercising "
            f"{len(Tally.constructs)} constructs:")
        terminalreporter.write_line("  " + ", ".join(f"{name} {count}" for name, count in
                                                      sorted(Tally.constructs.items())))
        terminalreporter.write_line(
            f"  refused with a located SrcgradError: {Tally.refused_programs}, by the construct at the error's "
            "line: " + (", ".join(f"{name} {count}" for name, count in sorted(Tally.refused.items())) or "none"))
        terminalreporter.write_line(
            f"  forward mode refused where reverse mode agreed: {Tally.forward_refused}; shim checked against "
            f"finite differences (reverse mode refused): {Tally.shim_against_fd}; shim check skipped (PyTorch "
            f"refuses to backpropagate through a saved value updated in place): {Tally.shim_skipped}")
    if Tally.hostile:
        terminalreporter.write_line(
            f"hostile front-end programs: {Tally.hostile} rejected at the right file and line, "
            f"{len(Tally.hostile_constructs)} rejected constructs in {len(Tally.hostile_contexts)} contexts")
    if Tally.callables:
        terminalreporter.write_line(f"unusual callables: {len(Tally.callables)} kinds checked: "
                                    + ", ".join(sorted(Tally.callables)))

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
            f"{len(Tally.constructs)} constructs exercised:")
        terminalreporter.write_line("  " + ", ".join(f"{name} {count}" for name, count in
                                                      sorted(Tally.constructs.items())))
    if Tally.hostile:
        terminalreporter.write_line(
            f"hostile front-end programs: {Tally.hostile} rejected at the right file and line, "
            f"{len(Tally.hostile_constructs)} rejected constructs in {len(Tally.hostile_contexts)} contexts")
    if Tally.callables:
        terminalreporter.write_line(f"unusual callables: {len(Tally.callables)} kinds checked: "
                                    + ", ".join(sorted(Tally.callables)))

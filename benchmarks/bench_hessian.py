"""Time ``srcgrad.hessian`` of a 10-line function: the first call (which generates the forward code, then
reverse mode over it, and the helpers they reach) and later calls (cached code only).

    python benchmarks/bench_hessian.py [--runs 5]

Each first call runs in a fresh interpreter, after ``import srcgrad`` and NumPy, so the transformation is
timed and the imports are not."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = r'''
import json, time
import numpy as np
import srcgrad


def loss(w):
    z = np.tanh(w * 1.5)
    s = 0.0
    for i in range(3):
        if i % 2 == 0:
            s = s + np.sum(z * z) * (i + 1)
        else:
            s = s + np.sum(np.exp(-z))
    penalty = np.sum(w ** 4) / 4.0
    return s + penalty + np.log(1.0 + np.sum(w * w))


w = np.linspace(-1.0, 1.0, 5)
hessian = srcgrad.hessian(loss)
start = time.perf_counter()
hessian(w)
first = time.perf_counter() - start
later = []
for _ in range(50):
    start = time.perf_counter()
    hessian(w)
    later.append(time.perf_counter() - start)
print(json.dumps({"first": first, "later": sorted(later)[len(later) // 2]}))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        program = Path(folder) / "hessian_program.py"  # srcgrad reads the function's source from disk
        program.write_text(PROGRAM)
        for _ in range(options.runs):
            out = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, check=True,
                                 cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
            results.append(json.loads(out.stdout))
    first = statistics.median(r["first"] for r in results)
    later = statistics.median(r["later"] for r in results)
    print(f"hessian of a 10-line function (5 inputs, 5 Hessian-vector products per call), median of "
          f"{options.runs} fresh processes:")
    print(f"  first call (transformation included): {first * 1e3:.1f} ms")
    print(f"  later calls:                          {later * 1e3:.2f} ms")


if __name__ == "__main__":
    main()

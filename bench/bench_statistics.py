"""Time item analysis on 100,000 attempts x 20 items (best of 5, in seconds).

Run with ``python bench/bench_statistics.py``. The budget is 1 second; the script exits
with status 1 when the best run is slower than that.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from trainer.assessments.statistics import item_analysis

ATTEMPTS = 100_000
ITEMS = 20
RUNS = 5
BUDGET_SECONDS = 1.0


def make_marks(seed: int = 20240601) -> np.ndarray:
    """Simulate one-mark answers from a simple ability/difficulty (Rasch-like) model."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(ATTEMPTS, 1))
    difficulty = np.linspace(-2.0, 2.0, ITEMS)[None, :]
    chance = 1.0 / (1.0 + np.exp(difficulty - ability))
    return (rng.random((ATTEMPTS, ITEMS)) < chance).astype(np.float64)


def main() -> int:
    marks = make_marks()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        item_analysis(marks)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    print(f"item_analysis {ATTEMPTS} x {ITEMS}: best of {RUNS} = {best:.3f} s")
    return 0 if best <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())

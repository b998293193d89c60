"""Timing helpers: p50/p95 over repeated runs, and the ratio to a floor measured in the same run."""

import statistics
import time
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    samples_ms: list[float]
    floor_ms: list[float] | None = None
    target: str = ""
    target_ok: bool | None = None
    note: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def floor_p50(self) -> float | None:
        return statistics.median(self.floor_ms) if self.floor_ms else None

    @property
    def ratio(self) -> float | None:
        return self.p50 / self.floor_p50 if self.floor_ms else None


def measure(fn, repeat: int, warmup: int = 1) -> list[float]:
    """Return the wall time of `fn()` in milliseconds, `repeat` times, after `warmup` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples

"""Timing: the app and its floor interleaved round by round, and the figures that come of it."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank percentile of `samples` (p between 0 and 1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


@dataclass
class Figure:
    name: str
    samples_ms: list[float]
    floor_ms: list[float] | None = None
    floor_name: str = ""
    floor_sql: list[str] = field(default_factory=list)
    candidates: list[tuple[str, float]] = field(default_factory=list)  # every floor tried: name, best ms
    target: str = ""
    target_ok: bool | None = None
    note: str = ""

    @property
    def min(self) -> float:
        return min(self.samples_ms)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 0.95)

    @property
    def floor_p50(self) -> float | None:
        return statistics.median(self.floor_ms) if self.floor_ms else None

    @property
    def ratio(self) -> float | None:
        return self.p50 / self.floor_p50 if self.floor_ms else None

    @property
    def round_ratios(self) -> list[float]:
        """The ratio in each round: app and floor were timed back to back, so drift cancels."""
        if not self.floor_ms:
            return []
        return [a / f for a, f in zip(self.samples_ms, self.floor_ms, strict=True) if f > 0]

    @property
    def spread(self) -> tuple[float, float] | None:
        """The 5th to 95th percentile of the per-round ratios."""
        ratios = self.round_ratios
        return (percentile(ratios, 0.05), percentile(ratios, 0.95)) if ratios else None


def _timed(fn: Callable, before: Callable | None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def interleaved(
    app: Callable, floor: Callable | None, rounds: int, *, warmup: int = 1, before: Callable | None = None
) -> tuple[list[float], list[float] | None]:
    """Time `app` and `floor` alternately, `rounds` times each after `warmup` untimed rounds; the
    one that goes first alternates too. `before` runs untimed before every call (a reset)."""
    for _ in range(warmup):
        _timed(app, before)
        if floor is not None:
            _timed(floor, before)
    app_ms: list[float] = []
    floor_ms: list[float] = []
    for n in range(rounds):
        if floor is None:
            app_ms.append(_timed(app, before))
        elif n % 2 == 0:
            app_ms.append(_timed(app, before))
            floor_ms.append(_timed(floor, before))
        else:
            floor_ms.append(_timed(floor, before))
            app_ms.append(_timed(app, before))
    return app_ms, (floor_ms if floor is not None else None)


def fastest(candidates: dict[str, Callable], trials: int) -> tuple[str, list[tuple[str, float]]]:
    """Time each candidate `trials` times (round-robin, after one untimed call each) and return the
    name of the fastest by its best time, with every candidate's best time."""
    best = dict.fromkeys(candidates, float("inf"))
    for fn in candidates.values():
        fn()
    for _ in range(trials):
        for name, fn in candidates.items():
            best[name] = min(best[name], _timed(fn, None))
    ranked = sorted(best.items(), key=lambda kv: kv[1])
    return ranked[0][0], ranked

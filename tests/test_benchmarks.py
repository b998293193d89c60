"""The benchmark is honest: its floors return the app's rows, app and floor interleave, the synthetic
histories are skewed, and `--check` fails on a missed target (no database of the suite: run once)."""

import random
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import harness
from benchmarks.generate import _skewed_counts
from benchmarks.run import RowsDiffer, _assert_same

ROOT = Path(__file__).resolve().parent.parent


def test_histories_are_skewed_most_short_some_hundreds():
    counts = _skewed_counts(random.Random(2018), 10_000, 100_000)  # noqa: S311 (synthetic data, not a secret)
    ordered = sorted(counts)
    assert sum(counts) == 100_000 and ordered[0] >= 1 and ordered[-1] <= 800
    assert ordered[len(ordered) // 2] <= 10  # the median measure has a few updates
    assert sum(1 for c in counts if c >= 100) >= 20  # and some have hundreds
    top = sum(ordered[-2_000:])
    assert top / 100_000 > 0.5  # a fifth of the measures hold most of the updates


def test_app_and_floor_alternate_round_by_round_with_the_first_alternating_too():
    calls = []
    app_ms, floor_ms = harness.interleaved(
        lambda: calls.append("app"), lambda: calls.append("floor"), 4, warmup=1, before=lambda: calls.append("reset")
    )
    assert len(app_ms) == len(floor_ms) == 4
    timed = [c for c in calls if c != "reset"][2:]  # the warm-up pair aside
    assert timed == ["app", "floor", "floor", "app", "app", "floor", "floor", "app"]
    assert calls.count("reset") == 10  # before every call, warm-up included


def test_the_figures_report_min_p50_p95_and_the_spread_of_the_per_round_ratio():
    figure = harness.Figure("x", [10, 20, 30, 40, 50], [5, 10, 10, 10, 10])
    assert (figure.min, figure.p50, figure.p95) == (10, 30, 50)
    assert figure.ratio == 3.0
    assert figure.round_ratios == [2.0, 2.0, 3.0, 4.0, 5.0]
    assert figure.spread == (2.0, 5.0)


def test_a_floor_that_returns_other_rows_is_refused():
    expected = {"rows": [("A", 1), ("B", 2)], "total": 2}
    _assert_same("figure", "floor", expected, {"rows": [("A", 1), ("B", 2)], "total": 2})
    with pytest.raises(RowsDiffer, match="first difference"):
        _assert_same("figure", "floor", expected, {"rows": [("A", 1), ("B", 3)], "total": 2})
    with pytest.raises(RowsDiffer, match="total"):
        _assert_same("figure", "floor", expected, {"rows": [("A", 1), ("B", 2)], "total": 3})


def test_fastest_keeps_the_quickest_candidate():
    import time

    best, ranked = harness.fastest({"slow": lambda: time.sleep(0.01), "quick": lambda: None}, 2)
    assert best == "quick" and [name for name, _ in ranked] == ["quick", "slow"]


@pytest.mark.slow  # generates a small programme and runs every figure but the reports (about 30 s)
def test_a_small_run_asserts_every_floor_and_check_fails_on_a_missed_target(tmp_path):
    """Every floor is compared with the app's rows inside the run (a difference stops it); at this
    size the pages are far above their floors, so `--check` must exit 1 and name them."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--measures",
            "80",
            "--updates",
            "800",
            "--rounds",
            "2",
            "--trials",
            "1",
            "--skip-reports",
            "--no-write",
            "--check",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "RowsDiffer" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Missed" in result.stderr
    for figure in (
        "Daily check with its writes (first run",
        "Daily check with its writes (steady run",
        "Overview (with the open flags)",
        "Flagged list",
        "Detail with the longest history",
        "As-of list",
        "Comparison",
        "List export, CSV",
        "Open data, XLSX",
    ):
        assert f"| {figure}" in result.stdout, figure
    assert "Kept: **" in result.stdout and "```sql" in result.stdout

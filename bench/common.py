"""Shared helpers of the benchmarks: percentiles, timing loops, a seeded scratch portal."""

import statistics
import time
from pathlib import Path

from tradeportal import create_app

WARMUP = 50


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples_ns: list[int]) -> dict:
    """Return n, p50, p95 and mean in microseconds."""
    micros = [s / 1000 for s in samples_ns]
    return {
        "n": len(micros),
        "p50_us": round(percentile(micros, 0.50), 1),
        "p95_us": round(percentile(micros, 0.95), 1),
        "mean_us": round(statistics.fmean(micros), 1),
    }


def timed(function, inputs, warmup: int = WARMUP) -> list[int]:
    """Call ``function`` on each input after a warm-up; return each call's duration in ns."""
    for item in inputs[:warmup]:
        function(item)
    samples = []
    for item in inputs:
        start = time.perf_counter_ns()
        function(item)
        samples.append(time.perf_counter_ns() - start)
    return samples


def seeded_portal(instance: Path):
    """Create an app on a fresh database in ``instance``, migrated and loaded with data/."""
    app = create_app({"INSTANCE_PATH": str(instance)})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["seed"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(result.output)
    return app


def report_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "instance" / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path

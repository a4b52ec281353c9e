"""``estimate``: measure a few steps of a run embedded, project the whole run's critical-path
time and its AWS bill."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from lnn.estimate.measure import Measured, measure_plans
from lnn.estimate.plan import Plan, plan
from lnn.estimate.pricebook import BANDS, PriceBook, load_price_book
from lnn.estimate.projection import DURATION_PRICE, FLAT_PRICES, Parts, bill, parts, run_tally
from lnn.estimate.tally import Tally
from lnn.prepare import PreparedData, split
from messages.train_request import TrainConfig

PER_STEPS = 1000  # the bill is also given per this many steps


@dataclass(frozen=True)
class Estimate:
    config: TrainConfig
    plan: Plan
    measured: dict[str, Measured]
    parts: Parts
    run: Tally
    book: PriceBook

    @property
    def step(self) -> Tally:
        return self.parts.step

    def units(self, tally: Tally) -> dict[str, object]:
        flat = {name: tally[f"units.{name}"] for name in FLAT_PRICES}
        by_band = {band: tally[f"units.{DURATION_PRICE}.{band}"] for band in BANDS}
        return {**flat, DURATION_PRICE: by_band}

    def per_step(self) -> dict[str, object]:
        s = self.step
        return {
            "hops": s["hops"],
            "shard_tasks": s["shard_tasks"],
            "invocations": s["invocations"],
            "calls": s["calls"],
            "calls_per_hop": s["calls"] / s["hops"] if s["hops"] else None,
            "calls_per_shard_task": s["calls"] / s["shard_tasks"] if s["shard_tasks"] else None,
            # A call that only the fixed part makes differs by round-off from 0 per step.
            "calls_by_operation": {
                name: n for name, n in s.with_prefix("calls.").items() if abs(n) > 1e-9
            },
            "critical_path_calls": {band: s[f"path.call_count.{band}"] for band in BANDS},
            "request_bytes": s["bytes.request"],
            "response_bytes": s["bytes.response"],
            "compute_s": s["compute"],
            "unpriced_calls": s.with_prefix("unpriced."),
        }

    def times(self) -> dict[str, object]:
        s = self.step
        parts = ("messaging", "calls", "compute")
        return {
            "per_step": {band: s[f"path.{band}"] for band in BANDS},
            "per_run": {band: self.run[f"path.{band}"] for band in BANDS},
            "per_step_parts": {p: {band: s[f"path.{p}.{band}"] for band in BANDS} for p in parts},
        }

    def as_dict(self) -> dict[str, object]:
        target, book = self.plan.target, self.book
        thousand = self.step * PER_STEPS
        return {
            "config": self.config.model_dump(mode="json"),
            "run": asdict(target),
            "measured": {
                "steps_per_epoch": self.plan.steps_per_epoch,
                "extra_steps": self.plan.extra_steps,
                "runs": [
                    {
                        "label": label,
                        **asdict(m.run.shape),
                        "telemetry_every": m.run.config.telemetry_every,
                        "eval_every": m.run.config.eval_every,
                        "wall_s": m.seconds,
                        "calls": m.tally["calls"],
                        "hops": m.tally["hops"],
                        "engine_hops": m.engine_hops,
                    }
                    for label, m in self.measured.items()
                ],
            },
            "per_step": self.per_step(),
            "time_s": self.times(),
            "units": {
                f"per_{PER_STEPS}_steps": self.units(thousand),
                "per_run": self.units(self.run),
            },
            "bill_usd": {
                f"per_{PER_STEPS}_steps": bill(thousand, book),
                "per_run": bill(self.run, book),
            },
            "assumptions": assumptions(book),
        }


def assumptions(book: PriceBook) -> dict[str, object]:
    return {
        "region": book.region,
        "recorded": book.recorded,
        "recorded_from": book.recorded_from,
        "prices": {name: asdict(price) for name, price in book.prices.items()},
        "billing_units": asdict(book.units),
        "hop_latency_s": {name: asdict(lat) for name, lat in book.hop.items()},
        "call_latency_s": {name: asdict(lat) for name, lat in book.call.items()},
        "not_counted": list(book.not_counted),
    }


def estimate(
    config: TrainConfig,
    data: PreparedData,
    steps: int,
    *,
    stack: str = "lnn",
    on_run: Callable[[str], None] | None = None,
    book: PriceBook | None = None,
) -> Estimate:
    (found,) = estimate_all([config], data, steps, stack=stack, on_run=on_run, book=book)
    return found


def estimate_all(
    configs: Sequence[TrainConfig],
    data: PreparedData,
    steps: int,
    *,
    stack: str = "lnn",
    on_run: Callable[[str], None] | None = None,
    book: PriceBook | None = None,
) -> list[Estimate]:
    """The estimate of each config, their measurement runs on one embedded stack."""
    book = book or load_price_book()
    plans = []
    for config in configs:
        columns = split(data, holdout=config.holdout, seed=config.seed).x_train.shape[1]
        plans.append(plan(config, columns, steps))
    measured = measure_plans(plans, data, book, stack=stack, on_run=on_run)
    estimates = []
    for config, measurement, runs in zip(configs, plans, measured, strict=True):
        found = parts(measurement, runs, book)
        run = run_tally(measurement, found)
        estimates.append(Estimate(config, measurement, runs, found, run, book))
    return estimates

"""``estimate``: measure a few steps of a run embedded, project the whole run's critical-path
time and its AWS bill."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

from lnn.estimate.batch_norm import BatchNormCost, without_batch_norm
from lnn.estimate.measure import Measured, measure_plans
from lnn.estimate.plan import MeasurementRun, Plan, plan
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
    batch_norm: BatchNormCost | None = None  # a step beside the same without batch norm

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

    def _median(self, key: str) -> float:
        """The median of ``key`` over the measured runs (0 for an estimate made without)."""
        values = [m.tally[key] for m in self.measured.values()]
        return statistics.median(values) if values else 0.0

    def upload(self) -> dict[str, float]:
        """The client's upload of the data before the TrainRequest (a median of the measured
        runs): not on AWS's critical path, and its time is this machine's, to the emulator."""
        return {name: self._median(f"upload.{name}") for name in ("calls", "bytes", "measured_s")}

    def times(self) -> dict[str, object]:
        s = self.step
        parts = ("messaging", "calls", "compute")
        return {
            # The TrainRequest's hop and the trainer's start, part of the run's fixed part:
            # every measured run has one, so it is their median, not a difference.
            "start": {band: self._median(f"start.{band}") for band in BANDS},
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
            "upload": self.upload(),
            "units": {
                f"per_{PER_STEPS}_steps": self.units(thousand),
                "per_run": self.units(self.run),
            },
            "bill_usd": {
                f"per_{PER_STEPS}_steps": bill(thousand, book),
                "per_run": bill(self.run, book),
            },
            "batch_norm": None if self.batch_norm is None else self.batch_norm.as_dict(),
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
    """The run's estimate (estimate_all's, of the one config)."""
    (found,) = estimate_all([config], data, steps, stack=stack, on_run=on_run, book=book)
    return found


_PLAIN = "no-bn "  # the label prefix of the runs without batch norm, as announced


def _relabelled(runs: Sequence[MeasurementRun]) -> tuple[MeasurementRun, ...]:
    """The runs that measure a step without batch norm (evaluations are not compared)."""
    return tuple(replace(r, label=_PLAIN + r.label) for r in runs if r.label != "evaluating")


def _unlabelled(measured: dict[str, Measured]) -> dict[str, Measured]:
    return {label.removeprefix(_PLAIN): m for label, m in measured.items()}


def _plan_of(config: TrainConfig, data: PreparedData, steps: int) -> Plan:
    columns = split(data, holdout=config.holdout, seed=config.seed).x_train.shape[1]
    return plan(config, columns, steps)


def estimate_all(
    configs: Sequence[TrainConfig],
    data: PreparedData,
    steps: int,
    *,
    stack: str = "lnn",
    on_run: Callable[[str], None] | None = None,
    book: PriceBook | None = None,
) -> list[Estimate]:
    """The estimate of each config, their measurement runs on one embedded stack, after
    them a step of each batch-normed config's twin without batch norm (no evaluation runs),
    which its estimate's ``batch_norm`` compares with."""
    book = book or load_price_book()
    plans = [_plan_of(config, data, steps) for config in configs]
    twins: dict[int, tuple[TrainConfig, Plan]] = {}  # by config: its twin and the twin's plan
    for number, config in enumerate(configs):
        plain = without_batch_norm(config)
        if plain is not None:
            twin = _plan_of(plain, data, steps)
            twins[number] = (plain, replace(twin, runs=_relabelled(twin.runs)))
    measured = measure_plans(
        [*plans, *(twin for _, twin in twins.values())],
        data,
        book,
        stack=stack,
        on_run=on_run,
        shapes=[*range(len(plans)), *twins],
    )
    twin_runs = dict(zip(twins, measured[len(plans) :], strict=True))
    estimates = []
    for number, (config, measurement) in enumerate(zip(configs, plans, strict=True)):
        runs = measured[number]
        found = parts(measurement, runs, book)
        cost = None
        if number in twins:
            plain, twin = twins[number]
            plain_step = parts(twin, _unlabelled(twin_runs[number]), book).step
            cost = BatchNormCost.of(config, plain, data.x.shape[0], found.step, plain_step)
        run = run_tally(measurement, found)
        estimates.append(Estimate(config, measurement, runs, found, run, book, cost))
    return estimates

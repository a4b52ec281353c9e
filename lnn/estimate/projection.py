"""From the measured runs to the long run: the parts by difference, the run's tally, and
its bill in dollars."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lnn.estimate.plan import Plan
from lnn.estimate.pricebook import BANDS, PriceBook
from lnn.estimate.tally import Tally

# Priced quantities whose amount does not depend on the latencies.
FLAT_PRICES = (
    "lambda_request",
    "sqs_request",
    "sns_request",
    "dynamodb_write_unit",
    "dynamodb_read_unit",
    "s3_put",
    "s3_get",
)
DURATION_PRICE = "lambda_gb_second"


@dataclass(frozen=True)
class Parts:
    fixed: Tally  # start, one evaluation, finish
    step: Tally  # one step, telemetry as often as in the projected run
    evaluation: Tally  # one further evaluation (empty if the run has none)


def _step_and_fixed(plan: Plan, measured: Mapping[str, Tally], kind: str) -> tuple[Tally, Tally]:
    short, long = measured[f"short-{kind}"], measured[f"long-{kind}"]
    step = (long - short) * (1 / plan.extra_steps)
    return step, short - step * plan.steps_per_epoch


def parts(plan: Plan, measured: Mapping[str, Tally]) -> Parts:
    target = plan.target
    kinds = {
        k: _step_and_fixed(plan, measured, k) for k in ("off", "on") if f"short-{k}" in measured
    }
    on_share = target.telemetry_steps / target.steps if target.steps else 0.0
    step = Tally()
    for kind, share in (("off", 1 - on_share), ("on", on_share)):
        if share:
            step = step + kinds[kind][0] * share
    # The telemetry runs' fixed part carries telemetry's own (the last step's merge).
    fixed = kinds["on" if "on" in kinds else "off"][1]
    evaluation = Tally()
    if "evaluating" in measured:
        kind = "off" if "long-off" in measured else "on"
        evaluation = (measured["evaluating"] - measured[f"long-{kind}"]) * (1 / plan.extra_epochs)
    return Parts(fixed, step, evaluation)


def run_tally(plan: Plan, p: Parts) -> Tally:
    target = plan.target
    return p.fixed + p.step * target.steps + p.evaluation * max(0, target.evaluations - 1)


def bill(tally: Tally, book: PriceBook) -> dict[str, object]:
    """Dollars per priced quantity (the duration per latency band) and in total per band."""
    flat = {name: tally[f"units.{name}"] * book.prices[name].each for name in FLAT_PRICES}
    duration = {
        band: tally[f"units.{DURATION_PRICE}.{band}"] * book.prices[DURATION_PRICE].each
        for band in BANDS
    }
    fixed = sum(flat.values())
    return {
        **flat,
        DURATION_PRICE: duration,
        "total": {band: fixed + duration[band] for band in BANDS},
    }

"""From the measured runs to the long run: the parts by difference, the run's tally, and
its bill in dollars."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lnn.estimate.compute import pooled, robust
from lnn.estimate.plan import Plan
from lnn.estimate.pricebook import BANDS, PriceBook
from lnn.estimate.tally import Tally

if TYPE_CHECKING:  # measuring needs the embedded engine; projecting does not
    from lnn.estimate.measure import Measured

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


def _step_and_fixed(
    plan: Plan, measured: Mapping[str, Measured], kind: str, book: PriceBook
) -> tuple[Tally, Tally]:
    labels = (f"short-{kind}", f"long-{kind}")
    short, long = (measured[label].tally for label in labels)
    samples = pooled({k: m.samples for k, m in measured.items()}, labels)
    step = robust((long - short) * (1 / plan.extra_steps), samples, book)
    return step, short - step * plan.steps_per_epoch


def parts(plan: Plan, measured: Mapping[str, Measured], book: PriceBook) -> Parts:
    """A step (telemetry weighted as in the run) and an evaluation by difference, their
    compute at the median of each kind's (lnn.estimate.compute); the fixed part is the rest
    of the short run."""
    target = plan.target
    kinds = {
        k: _step_and_fixed(plan, measured, k, book)
        for k in ("off", "on")
        if f"short-{k}" in measured
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
        long = f"long-{'off' if 'long-off' in measured else 'on'}"
        extra = measured["evaluating"].tally - measured[long].tally
        samples = pooled({k: m.samples for k, m in measured.items()}, ("evaluating", long))
        evaluation = robust(extra * (1 / plan.extra_epochs), samples, book)
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

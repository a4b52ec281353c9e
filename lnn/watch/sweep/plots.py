"""The sweep page's plots, as data: every trial's cost per epoch, parallel coordinates of
the searched values against the sweep's metric, and final cost against the learning rate."""

import math
from collections.abc import Sequence
from typing import Any

from lnn.sweep.results import so_far
from lnn.sweep.types import METRICS, SweepRecord, TrialRecord, metric_label
from lnn.watch.numbers import figure, figures
from lnn.watch.sweep.table import compact, sort_key, sort_value
from lnn.watch.sweep.trials import Histories, ended, history_of

# Positive values spread over more than this ratio (two decades) get a log axis: a learning
# rate drawn from 1e-4 to 1 would otherwise crowd all but its largest draws at the bottom.
LOG_RATIO = 100.0
# The cost curves get a log axis past one decade: a cost falling from 0.7 to 0.01 is flat on
# a linear one after its first epochs.
CURVES_LOG_RATIO = 10.0


def spans_decades(values: Sequence[float], ratio: float) -> bool:
    """All of ``values`` are positive and the largest is more than ``ratio`` times the least."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > ratio


def params_text(trial: TrialRecord) -> str:
    """lr=0.01, layers=8:relu,1:sigmoid: a trial's searched values, in the search's order."""
    return ", ".join(f"{name}={compact(value)}" for name, value in trial.params.items())


def curves_section(record: SweepRecord, histories: Histories) -> dict[str, Any]:
    drawn = [(t, history_of(histories, t.index)) for t in record.trials]
    drawn = [(t, h) for t, h in drawn if h]
    costs = [c for _, h in drawn for c in (e.cost for e in h) if math.isfinite(c)]
    return {
        "trials": [
            {
                "index": t.index,
                "name": t.name,
                "label": params_text(t),
                "status": t.status.value,
                "epochs": [e.epoch for e in h],
                "cost": figures([e.cost for e in h]),
            }
            for t, h in drawn
        ],
        "log_y": spans_decades(costs, CURVES_LOG_RATIO),
        "rungs": list(record.halving.rungs) if record.halving else [],
        "why": None if drawn else "No trial has finished an epoch yet.",
    }


def _log_ticks(low: float, high: float) -> tuple[list[float], list[str], list[float]]:
    """Powers of ten from below ``low`` to above ``high`` (log10 values): tick positions,
    labels (1e-4, 0.01, 1, 100) and the axis range they span."""
    first, last = math.floor(low), math.ceil(high)
    powers = list(range(first, last + 1))
    labels = [compact(10.0**k) for k in powers]
    return [float(k) for k in powers], labels, [float(first), float(last)]


def dimension(label: str, values: Sequence[Any]) -> dict[str, Any]:
    """One axis of the parallel coordinates: numbers as they are or, spread over decades,
    as their log10 with powers of ten marked; anything else (layers, a mix) one tick per
    distinct value, in the table's order."""
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if numeric and spans_decades(values, LOG_RATIO):
        logs = [math.log10(v) for v in values]
        tickvals, ticktext, span = _log_ticks(min(logs), max(logs))
        return {
            "label": label,
            "values": figures(logs),
            "log": True,
            "tickvals": tickvals,
            "ticktext": ticktext,
            "range": span,
        }
    if numeric:
        return {"label": label, "values": figures(values), "log": False}
    texts = [compact(v) for v in values]
    by_text = {compact(v): sort_key(sort_value(v)) for v in values}
    ordered = sorted(by_text, key=by_text.__getitem__)
    return {
        "label": label,
        "values": [ordered.index(t) for t in texts],
        "log": False,
        "tickvals": list(range(len(ordered))),
        "ticktext": ordered,
        "range": [-0.5, len(ordered) - 0.5],
    }


def parallel_section(record: SweepRecord, histories: Histories) -> dict[str, Any]:
    metric = record.metric
    measured = [
        (t, value)
        for t in record.trials
        if ended(t)
        and (value := so_far(t, history_of(histories, t.index)).metric(metric)) is not None
    ]
    names = list(record.trials[0].params) if record.trials else []
    why = None
    if not names:
        why = "The sweep searches no values."
    elif not measured:
        why = f"No trial has ended with a {metric_label(metric)} yet."
    if why:
        return {"why": why}
    dimensions = [dimension(name, [t.params.get(name, "-") for t, _ in measured]) for name in names]
    scores = dimension(metric_label(metric), [v for _, v in measured])
    return {
        "why": None,
        "dimensions": [*dimensions, scores],
        "metric": metric_label(metric),
        "scores": figures([v for _, v in measured]),
        "higher_better": METRICS[metric],
        "trials": [t.name for t, _ in measured],
        "left_out": len(record.trials) - len(measured),
    }


def lr_cost_section(record: SweepRecord, histories: Histories) -> dict[str, Any]:
    rates = {t.config.lr for t in record.trials}
    if len(rates) == 1:
        (rate,) = rates
        return {
            "why": f"Every trial has the same learning rate (lr = {rate:g}): the final cost is "
            "drawn against the learning rate when the search varies lr."
        }
    points: list[dict[str, Any]] = []
    for t in record.trials:
        cost = so_far(t, history_of(histories, t.index)).final_cost
        if ended(t) and cost is not None and cost > 0 and math.isfinite(cost):
            points.append(
                {
                    "index": t.index,
                    "name": t.name,
                    "label": params_text(t),
                    "status": t.status.value,
                    "lr": figure(t.config.lr),
                    "cost": figure(cost),
                }
            )
    why = None if points else "No trial has ended with a final cost yet."
    return {"why": why, "points": points}

"""Which trial is the sweep's best: the succeeded trial (never one the halving stopped) with
the best metric, the earlier one on a tie, so that the same sweep always names the same."""

from __future__ import annotations

from collections.abc import Sequence

from lnn.sweep.types import TrialRecord, TrialStatus, best_first

__all__ = ["best_trial", "ranked"]


def ranked(trials: Sequence[TrialRecord], metric: str) -> list[TrialRecord]:
    """The succeeded trials that have the metric, best first."""
    sign = best_first(metric)
    scored = [
        t for t in trials if t.status == TrialStatus.SUCCEEDED and t.metric(metric) is not None
    ]
    return sorted(scored, key=lambda t: (sign * float(t.metric(metric)), t.index))


def best_trial(trials: Sequence[TrialRecord], metric: str) -> int | None:
    order = ranked(trials, metric)
    return order[0].index if order else None

"""The majority verdict of a run read through lnn.runs (``lnn inspect``): its history, and
what names its classes and samples (the model's config on disk; the plan on a stack)."""

from __future__ import annotations

from functions.protocol import find_plan
from lnn.datasets import builtin_classes
from lnn.majority import MajorityVerdict, history_verdict, sample_noun
from lnn.runs.base import LocalRun, Run
from lnn.runs.types import HISTORY_FILE, MODEL_FILE

__all__ = ["run_verdict"]


def run_verdict(run: Run) -> MajorityVerdict | None:
    """The verdict of the run's latest evaluation; None when it is not flagged, or when the
    run has no history to read (a file named on its own, a directory without history.json)."""
    if isinstance(run, LocalRun):
        if run.path.is_file() or not run.has(HISTORY_FILE):
            return None
        config = run.model().config if run.has(MODEL_FILE) else {}
        dataset, n_features = config.get("dataset"), config.get("n_features")
        classes = tuple(config.get("classes") or builtin_classes(dataset))
    else:
        plan = find_plan(run.client.store, run.run_id)
        dataset = run.record.dataset
        n_features = None if plan is None else plan.n_features
        classes = builtin_classes(dataset)
    noun = sample_noun(dataset, n_features)
    return history_verdict(run.history(), classes=classes, noun=noun)

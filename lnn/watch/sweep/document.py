"""The sweep page's document: a sweep record and its trials' histories turned into what the
page draws, in pure data (JSON values). The live page polls it, the report carries it."""

from collections import Counter
from collections.abc import Collection
from typing import Any

from lnn.sweep.types import SweepRecord, TrialStatus, metric_label
from lnn.watch.sweep.plots import curves_section, lr_cost_section, parallel_section
from lnn.watch.sweep.table import table_section
from lnn.watch.sweep.trials import Histories, ended


def summary_section(record: SweepRecord) -> dict[str, Any]:
    counts = Counter(t.status for t in record.trials)
    halving = record.halving
    best = record.trials[record.best] if record.best is not None else None
    return {
        "sweep_id": record.sweep_id,
        "engine": record.engine,
        "dataset": record.dataset,
        "search": record.search,
        "method": record.method,
        "seed": record.seed,
        "concurrency": record.concurrency,
        "metric": metric_label(record.metric),
        "halving": None
        if halving is None
        else f"rungs at epochs {', '.join(map(str, halving.rungs))}, keeping {halving.keep:g}",
        "trials": len(record.trials),
        # In TrialStatus' order, only the statuses some trial has.
        "counts": {s.value: counts[s] for s in TrialStatus if counts[s]},
        "best": None if best is None else best.name,
        "ended": all(ended(t) for t in record.trials),
        "updated_at": record.updated_at.isoformat(timespec="seconds"),
    }


def sweep_document(
    record: SweepRecord, histories: Histories, linked: Collection[int] = ()
) -> dict[str, Any]:
    """The page's document for ``record``; ``histories[i]`` is trial i's so far, and
    ``linked`` the trials whose report the page may link to (lnn.watch.sweep.trials
    reports_written)."""
    return {
        "summary": summary_section(record),
        "table": table_section(record, histories, linked),
        "curves": curves_section(record, histories),
        "parallel": parallel_section(record, histories),
        "lr_cost": lr_cost_section(record, histories),
    }

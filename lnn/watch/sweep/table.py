"""The sweep page's table: a row per trial (its name, status, searched values and results)
and, per column, the order of the rows for each direction, which a header click shows."""

from collections.abc import Collection, Sequence
from typing import Any

from lnn.sweep.results import RESULTS, so_far
from lnn.sweep.types import METRICS, SweepRecord, TrialRecord, TrialStatus, metric_label
from lnn.watch.numbers import figure, short_exponent
from lnn.watch.sweep.trials import Histories, ended, history_of, trial_report_link

SortValue = float | str | None
# Rows ordered by status: as TrialStatus lists its members, then by trial.
STATUS_RANK = {status: rank for rank, status in enumerate(TrialStatus)}
PARAM_PREFIX = "param:"  # a searched value's column key: a param may be named like a result


def compact(value: Any) -> str:
    """A searched value as the table shows it: a number in at most 3 significant digits,
    decimals down to 0.001 and powers of ten below (0.00316, 1e-4, 2.5e-7, 64), anything
    else as the search wrote it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if 0 < abs(value) < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        return short_exponent(f"{mantissa.rstrip('0').rstrip('.')}e{exponent}")
    return short_exponent(f"{value:.3g}")


def status_note(trial: TrialRecord, engine: str) -> str | None:
    """Why the trial is where it is (a halving's reason names its rung epoch itself); for a
    trial running on a deployed stack, how to watch it live (its report is linked once it
    has ended)."""
    if trial.status is TrialStatus.RUNNING and engine == "endpoint":
        return f"live: lnn watch {trial.run_id}"
    if trial.reason is None and trial.status is TrialStatus.STOPPED:
        return f"stopped at epoch {trial.stopped_at}"
    return trial.reason


def sort_key(value: SortValue) -> tuple[int, float | str]:
    """Numbers before text in a column holding both (a choice of 0 and "auto")."""
    return (1, value) if isinstance(value, str) else (0, float(value or 0.0))


def row_order(values: Sequence[SortValue], *, descending: bool) -> list[int]:
    """The positions of ``values`` in that order, ties in trial order, a value not known
    (None) last either way."""
    known = [i for i, v in enumerate(values) if v is not None]
    known.sort(key=lambda i: sort_key(values[i]), reverse=descending)  # stable both ways
    return known + [i for i, v in enumerate(values) if v is None]


def sort_value(value: Any) -> SortValue:
    """A searched value as its column sorts it: a number by its size, anything else (a
    layers text, a boolean) by how the table shows it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return compact(value)


def higher_better(result: str) -> bool:
    """Whether more of ``result`` is better. A sweep never ranks by test accuracy (it would
    choose on the test data) but it reads the same way as the others."""
    return METRICS.get(result, True)


def _column(
    key: str, label: str, values: list[SortValue], texts: list[str], *, descending: bool = False
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "texts": texts,
        # The direction of a first click on the header: best first for a result.
        "first": "descending" if descending else "ascending",
        "order": {
            "ascending": row_order(values, descending=False),
            "descending": row_order(values, descending=True),
        },
    }


def _number(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else str(figure(value, digits))


def table_section(
    record: SweepRecord, histories: Histories, linked: Collection[int]
) -> dict[str, Any]:
    trials = record.trials
    names = list(trials[0].params) if trials else []
    results = [so_far(t, history_of(histories, t.index)) for t in trials]
    epochs = [r.epochs_done for r in results]
    columns = [
        _column("trial", "trial", [t.index for t in trials], [t.name for t in trials]),
        _column(
            "status",
            "status",
            [STATUS_RANK[t.status] for t in trials],
            [t.status.value for t in trials],
        ),
        *(
            _column(
                PARAM_PREFIX + name,
                name,
                [sort_value(t.params.get(name)) for t in trials],
                [compact(t.params[name]) if name in t.params else "-" for t in trials],
            )
            for name in names
        ),
        _column(
            "epochs",
            "epochs",
            list(epochs),
            [f"{e} / {t.config.epochs}" for e, t in zip(epochs, trials, strict=True)],
        ),
        *(
            _column(
                name,
                metric_label(name),
                [r.metric(name) for r in results],
                [_number(r.metric(name)) for r in results],
                descending=higher_better(name),
            )
            for name in RESULTS
            # A split no trial has (no dev without a holdout, no test without test data)
            # would be a column of dashes; the cost every trial has from its first epoch.
            if name == "final_cost" or any(r.metric(name) is not None for r in results)
        ),
    ]
    rows = [
        {
            "index": t.index,
            "name": t.name,
            "status": t.status.value,
            "note": status_note(t, record.engine),
            "ended": ended(t),
            "best": record.best == t.index,
            "link": trial_report_link(t.index) if t.index in linked else None,
        }
        for t in trials
    ]
    return {
        "columns": columns,
        "rows": rows,
        # First shown best first, by the sweep's metric.
        "sorted": {"key": record.metric, "descending": higher_better(record.metric)},
        "metric": metric_label(record.metric),
    }

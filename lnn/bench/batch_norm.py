"""What batch norm buys a deep ReLU network and what it costs a step, in one run: 5 hidden
ReLU layers on digits with and without batch norm, trained on the reference engine at the
rate the plain network trains well and at higher ones (epochs to a target cost, the cost
curve, final dev accuracy), then the time of a step on each side on the reference engine and
on the embedded engine, whose models must equal the reference engine's."""

import numpy as np

from lnn.bench.batch_norm_timing import EMBEDDED_EPOCHS, embedded_step_times, reference_step_times
from lnn.bench.batch_norm_workload import (
    DATASET,
    HOLDOUT,
    LAYERS_TEXT,
    LEARNING_RATES,
    SIDES,
    TARGET_COST,
    DeepDigits,
    Side,
    cost_checkpoints,
    load_deep_digits,
)
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.bench.workload import CatData, MissingCat
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference

__all__ = ["batch_norm"]


def epochs_to_cost(result: TrainingResult, target: float) -> int | None:
    """The first epoch (numbered from 1, as the history is) whose cost is at most
    ``target``; None if none is."""
    return next((entry.epoch for entry in result.history if entry.cost <= target), None)


def _learn(work: DeepDigits, side: Side, lr: float, epochs: int) -> TrainingResult:
    # A plain network at a rate too high for it overflows on its way to dead ReLUs: that is
    # the figure being measured, not a fault to warn about.
    with np.errstate(over="ignore", invalid="ignore"):
        return train_reference(work.config(side, lr=lr, epochs=epochs), work.columns)


def learning(work: DeepDigits, epochs: int) -> dict[str, object]:
    """Each rate's runs, one figure a row: {"plain": ..., "bn": ...}."""
    checkpoints = cost_checkpoints(epochs)
    figures: dict[str, object] = {"cost_curve_epochs": checkpoints}
    trained: dict[str, list[int]] = {side: [] for side in SIDES}
    names: dict[str, list[str]] = {}
    for lr in LEARNING_RATES:
        runs = {side: _learn(work, side, lr, epochs) for side in SIDES}
        for side, run in runs.items():
            trained[side].append(len(run.history))
            names[side] = sorted(run.params[0])
        figures |= {
            f"lr_{lr:g}_epochs_to_target": {
                s: epochs_to_cost(r, TARGET_COST) for s, r in runs.items()
            },
            f"lr_{lr:g}_final_cost": {s: r.final_cost for s, r in runs.items()},
            f"lr_{lr:g}_dev_accuracy": {s: r.dev_accuracy for s, r in runs.items()},
            f"lr_{lr:g}_cost_curve": {
                s: [r.history[e - 1].cost for e in checkpoints] for s, r in runs.items()
            },
        }
    return {**figures, "epochs_trained": trained, "first_layer_params": names}


def batch_norm(bench: CatData | MissingCat, epochs: int, repeats: int) -> dict[str, object]:
    work = load_deep_digits(bench.shards)  # of the cat data, only `--shards` is read
    base_lr = LEARNING_RATES[0]
    metrics: dict[str, object] = {
        "network": LAYERS_TEXT,
        "training": f"{DATASET}, holdout {HOLDOUT:g}, gd, full batch, reference engine",
        "learning_rates": list(LEARNING_RATES),
        "target_cost": TARGET_COST,
        **learning(work, epochs),
        "timed_at_lr": base_lr,
        **reference_step_times(work, base_lr, epochs, repeats),
    }
    try:
        import lnn.engines.stack  # noqa: F401
    except ImportError:  # the reference figures stand alone
        return metrics
    embedded = embedded_step_times(work, base_lr, min(epochs, EMBEDDED_EPOCHS), repeats)
    diffs: dict[str, float] = embedded["embedded_max_abs_diff"]  # type: ignore[assignment]
    return {
        **metrics,
        **embedded,
        "shards": work.shards,
        "models_agree": all(diff <= AGREEMENT_TOLERANCE for diff in diffs.values()),
    }

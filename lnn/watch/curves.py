"""Curves over the run: cost and accuracies per epoch, the learning rate, and each layer's
update ratio, gradient RMS and saturated fraction per telemetry step."""

from collections.abc import Sequence
from typing import Any

from functions.telemetry.figures import GRAD_RMS, UPDATE_RATIO
from functions.training.config import learning_rate
from functions.training.schedule import eval_epochs, evenly
from lnn.watch.numbers import figures
from lnn.watch.series import CURVES, TelemetrySeries
from messages.status import HistoryEntry
from messages.train_request import TrainConfig

LAYER_CURVE_STEPS = 1000
# The page's plots of layer curves: which figure each draws (a key of the layers' entries), in
# which element, under which label; all on a log scale.
LAYER_PLOTS: tuple[dict[str, str], ...] = (
    {"figure": UPDATE_RATIO, "plot": "update-ratio-plot", "label": "update / weight"},
    {"figure": GRAD_RMS, "plot": "grad-rms-plot", "label": "gradient RMS"},
)


def _optional(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None else figures([v])[0] for v in values]


def _no_accuracy_yet(config: TrainConfig) -> str:
    """Why the accuracy chart is empty before the run's first evaluation."""
    planned = sorted(e + 1 for e in eval_epochs(config.epochs, config.eval_every))
    if not planned:
        return "The run has no epochs: nothing is evaluated."
    if len(planned) == 1:
        return f"No accuracy yet: the run is evaluated once, after its last epoch ({planned[0]})."
    return (
        f"No accuracy yet: the first evaluation is after epoch {planned[0]}, then every "
        f"{planned[1] - planned[0]} epochs and after the last (--eval-every)."
    )


def history_section(config: TrainConfig, history: Sequence[HistoryEntry]) -> dict[str, Any]:
    epochs = [h.epoch for h in history]
    accuracies = {
        "train": _optional([h.train_accuracy for h in history]),
        "dev": _optional([h.dev_accuracy for h in history]),
        "test": _optional([h.test_accuracy for h in history]),
    }
    # An evaluation measures every split the run has at once: the splits with a value are
    # the run's (no dev without a holdout, no test without test data).
    splits = [name for name, values in accuracies.items() if any(v is not None for v in values)]
    return {
        "epochs": epochs,
        "cost": figures([h.cost for h in history]),
        **accuracies,
        "splits": splits,
        "no_accuracy": None if splits else _no_accuracy_yet(config),
        # HistoryEntry.epoch counts from 1; the schedule's epochs from 0.
        "lr": figures([learning_rate(config, e - 1) for e in epochs]),
    }


def layer_curves_section(series: TelemetrySeries) -> dict[str, Any]:
    picked = evenly(len(series.steps), LAYER_CURVE_STEPS)
    return {
        "steps": [series.steps[i] for i in picked],
        "plots": list(LAYER_PLOTS),
        "layers": [
            {
                "layer": number,
                **{key: figures([found.curves[key][i] for i in picked]) for key in CURVES},
            }
            for number, found in sorted(series.layers.items())
        ],
    }

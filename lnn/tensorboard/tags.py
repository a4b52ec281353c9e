"""The tag vocabulary of a run's TensorBoard log (docs/tensorboard.md lists it).

TensorBoard groups tags at their first "/": a card for the accuracies, one per layer.
History scalars are at global step = epoch (1-based); telemetry's at global step = the
optimizer step (1-based) its record is of.
"""

from functions.telemetry import figures

COST = "cost"
LEARNING_RATE = "learning_rate"
# HistoryEntry field -> tag.
ACCURACIES: dict[str, str] = {
    "train_accuracy": "accuracy/train",
    "dev_accuracy": "accuracy/dev",
    "test_accuracy": "accuracy/test",
}

# Per-layer scalars of a telemetry step (lnn.tensorboard.scalars computes each): the
# telemetry's own figures under their own names, then the board's.
GRAD_RMS = figures.GRAD_RMS
UPDATE_RATIO = figures.UPDATE_RATIO
SATURATED = figures.SATURATED
DEAD = figures.DEAD
WEIGHT_NORM = figures.WEIGHT_NORM
ACTIVATION_MEAN = "activation_mean"
ACTIVATION_STD = "activation_std"

# Per-layer histograms of a telemetry step: named as figures.HISTOGRAM_KINDS names them.

UNITS = "units"
# Dead units over time (lnn.tensorboard.dead_units): per hidden layer.
UNIT_EVENTS = "unit_events"
UNIT_VERDICTS = "unit_verdicts"
DEAD_STRIP = "dead_units"


def layer_tag(layer: int, name: str) -> str:
    """``layer3/grad_rms``: a per-layer tag, ``layer`` 1-based as everywhere in lnn."""
    return f"layer{layer}/{name}"

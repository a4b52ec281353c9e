"""The run and tag vocabulary of a run's TensorBoard log (docs/tensorboard.md lists it).

A run's log is a directory of runs: ``train``, ``dev`` and ``test`` write the same tags, so
TensorBoard overlays their curves on one card; everything measured on training batches is in
``train``. TensorBoard groups tags at their first "/": a card per layer. History scalars are
at global step = epoch (1-based); telemetry's and the pictures' at global step = the
optimizer step (1-based) its record is of (0: the initial weights).
"""

from functions.telemetry import figures
from lnn.splits import SPLITS

TRAIN = SPLITS[0]  # the run of the training split (and of every per-step figure)
COST = "cost"
ACCURACY = "accuracy"
LEARNING_RATE = "learning_rate"
# HistoryEntry field -> the run its accuracy is written in.
ACCURACIES: dict[str, str] = {f"{split}_accuracy": split for split in SPLITS}
# The HParams dashboard's metrics: the run's final figures, by tag.
FINAL_COST = "final/cost"
FINAL_ACCURACIES: dict[str, str] = {field: f"final/{field}" for field in ACCURACIES}
# A sweep's trials add the epochs each trained (fewer for one the halving stopped).
FINAL_EPOCHS = "final/epochs"

# Per-layer scalars of a telemetry step (lnn.tensorboard.scalars computes each): the
# telemetry's own figures under their own names, then the board's.
GRAD_RMS = figures.GRAD_RMS
UPDATE_RATIO = figures.UPDATE_RATIO
SATURATED = figures.SATURATED
DEAD = figures.DEAD
WEIGHT_NORM = figures.WEIGHT_NORM
ACTIVATION_MEAN = "activation_mean"
ACTIVATION_STD = "activation_std"

# Per-layer histograms of a telemetry step: named as figures.HISTOGRAM_KINDS names them, and
# for a batch-normalized layer as figures.NORM_UNIT_FIGURES does (over the layer's units),
# each with a scalar, its mean over the units (unit_mean).

UNITS = "units"  # layer 1's units' weights W as pictures
UNITS_CHANGE = "units_change"  # and what training changed, W - W(init)
# Dead units over time (lnn.tensorboard.dead_units): per hidden layer.
UNIT_EVENTS = "unit_events"
UNIT_VERDICTS = "unit_verdicts"
DEAD_STRIP = "dead_units"


def layer_tag(layer: int, name: str) -> str:
    """``layer3/grad_rms``: a per-layer tag, ``layer`` 1-based as everywhere in lnn."""
    return f"layer{layer}/{name}"


def unit_mean(name: str) -> str:
    """``mean_gamma``: the scalar of a batch-normalized layer's figure, its mean over units."""
    return f"mean_{name}"

"""The tag vocabulary of a run's TensorBoard log (docs/tensorboard.md lists it).

TensorBoard groups tags at their first "/": a card for the accuracies, one per layer.
History scalars are at global step = epoch (1-based); telemetry's at global step = the
optimizer step (1-based) its record is of.
"""

COST = "cost"
LEARNING_RATE = "learning_rate"
# HistoryEntry field -> tag.
ACCURACIES: dict[str, str] = {
    "train_accuracy": "accuracy/train",
    "dev_accuracy": "accuracy/dev",
    "test_accuracy": "accuracy/test",
}

# Per-layer scalars of a telemetry step (lnn.tensorboard.scalars computes each).
GRAD_RMS = "grad_rms"
UPDATE_RATIO = "update_ratio"
SATURATED = "saturated"
DEAD = "dead"
WEIGHT_NORM = "weight_norm"
ACTIVATION_MEAN = "activation_mean"
ACTIVATION_STD = "activation_std"

# Per-layer histograms of a telemetry step.
WEIGHTS = "W"
ACTIVATIONS = "A"
WEIGHT_GRADS = "dW"
DELTAS = "dZ"

# The first layer's units' weights as pictures, when the inputs are pictures.
UNITS = "units"


def layer_tag(layer: int, name: str) -> str:
    """``layer3/grad_rms``: a per-layer tag, ``layer`` 1-based as everywhere in lnn."""
    return f"layer{layer}/{name}"

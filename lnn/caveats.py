"""What a valid request may not mean: options the run takes, but not as a learner may think.

Each caveat is one line for the user before the run starts (`lnn train`, `lnn submit`, `lnn
estimate` print them as warnings). None stops the run: each still trains something defined,
only not what the option alone suggests.
"""

from __future__ import annotations

from functions.nn.losses import MeanSquaredError, loss_for_output
from messages.train_request import TrainConfig

__all__ = ["caveats"]


def caveats(config: TrainConfig, *, n_samples: int, n_classes: int) -> list[str]:
    """The caveats of training ``config`` on ``n_samples`` samples of ``n_classes`` classes
    (0 for a regression target)."""
    found: list[str] = []
    out = config.layers[-1]
    spec = f"{out.units}:{out.activation}"
    if loss_for_output(out.activation).name == MeanSquaredError.name and n_classes > 0:
        found.append(
            f"the output layer {spec} trains with mean squared error, as a regression on the "
            f"{n_classes} class labels; for classes use 1:sigmoid (2 classes) or "
            f"{max(n_classes, 2)}:softmax"
        )
    if out.activation == "softmax" and 0 < n_classes < out.units:
        spare = out.units - 1
        unused = f"unit {spare} is" if spare == n_classes else f"units {n_classes}-{spare} are"
        found.append(
            f"the output layer has {out.units} softmax units for {n_classes} classes: "
            f"{unused} never a target; use {n_classes}:softmax"
        )
    widest = max(layer.units for layer in config.layers)
    if config.shards > widest:  # a layer narrower than --shards gets a shard per unit
        found.append(
            f"--shards {config.shards}: no layer has that many units; each layer gets at "
            f"most one shard per unit ({widest} for the widest)"
        )
    if config.batch_size >= n_samples > 0:
        found.append(
            f"--batch-size {config.batch_size} is not below the {n_samples} samples: every "
            "step is a full batch (--batch-size 0 says so)"
        )
    normalized = [i for i, layer in enumerate(config.layers, start=1) if layer.batch_norm]
    if config.batch_size == 1 and normalized and n_samples > 1:
        found.append(
            f"--batch-size 1 with batch norm (layer {normalized[0]}): a batch of one sample "
            "is its own mean, so the normalized layers pass only beta on, whatever the input; "
            "use --batch-size 2 or more"
        )
    if config.epochs == 0:
        found.append("--epochs 0 trains nothing: the run only evaluates the initial parameters")
    return found

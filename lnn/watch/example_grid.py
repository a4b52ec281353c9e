"""Pictures of examples with what the network says of them, from its latest parameters: the
ones it gets right most surely, the ones it gets wrong most surely, and the ones it is least
sure of (its largest class probability the smallest).

The pictures do not change with the parameters: ``example_grid_pictures_section`` holds the
thumbnails of the samples the grid picks from (GRID_SAMPLES of the split, evenly spread),
built once; each step's ``example_grid_section`` names its samples by index, with their P.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.predict import predict_proba
from functions.nn.types import Array, Params
from functions.training.schedule import evenly
from lnn.splits import SPLIT_WORDS, SPLITS
from lnn.watch.examples import Examples
from lnn.watch.numbers import figure
from lnn.watch.probabilities import class_probabilities, gives_probabilities
from lnn.watch.thumbnails import thumbnail

PER_KIND = 8  # pictures of each kind
# Samples the grid picks from at most, their thumbnails sent once: the cat's 50 test images
# are about 200 KB of PNG, the digits' 200 of 1,797 about 50 KB.
GRID_SAMPLES = 200
# The split shown: the first the run has, of those the network was not trained on first.
SPLIT_ORDER = SPLITS[::-1]
KINDS = ("right", "wrong", "unsure")

__all__ = [
    "GRID_SAMPLES",
    "KINDS",
    "PER_KIND",
    "example_grid_pictures_section",
    "example_grid_section",
    "grid_samples",
]


def grid_samples(examples: Examples) -> tuple[str, list[int]] | None:
    """The split shown and the columns of it the grid picks from; None without examples."""
    split = next((s for s in SPLIT_ORDER if s in examples.splits), None)
    if split is None:
        return None
    return split, evenly(examples.splits[split][0].shape[1], GRID_SAMPLES)


def example_grid_pictures_section(
    examples: Examples, shape: tuple[int, ...]
) -> dict[str, Any] | None:
    """The thumbnails of the samples the grid picks from, by sample index (a JSON key)."""
    picked = grid_samples(examples)
    if picked is None:
        return None
    split, columns = picked
    x = examples.splits[split][0]
    return {"split": split, "pictures": {str(i): thumbnail(x[:, i], shape) for i in columns}}


def _picked(right: Array, sureness: Array) -> dict[str, list[int]]:
    """Positions of each kind, surest first (least sure first for "unsure")."""
    order = np.argsort(-sureness, kind="stable")
    shown: dict[str, list[int]] = {
        "right": [int(i) for i in order if right[i]][:PER_KIND],
        "wrong": [int(i) for i in order if not right[i]][:PER_KIND],
    }
    taken = set(shown["right"]) | set(shown["wrong"])
    rest = [int(i) for i in order[::-1] if int(i) not in taken]
    shown["unsure"] = rest[:PER_KIND]
    return shown


def example_grid_section(
    params: Params,
    specs: Sequence[LayerSpec],
    examples: Examples,
    step: int,
) -> dict[str, Any] | None:
    """None for a run without examples; for an output whose values are not probabilities
    (only sigmoid and softmax give them), ``why`` nothing is shown."""
    picked = grid_samples(examples)
    if picked is None:
        return None
    split, columns = picked
    output = specs[-1]
    if not gives_probabilities(output):
        why = (
            f"the output layer is {output.units}:{output.activation}: its values are not "
            "class probabilities (only sigmoid and softmax outputs give them), so no image "
            "is shown as surely right, wrong or unsure"
        )
        return {"step": step, "split": split, "split_words": SPLIT_WORDS[split], "why": why}
    x, y = examples.splits[split]
    x, y = x[:, columns], y[:, columns]
    probabilities = class_probabilities(predict_proba(params, x, specs))
    predicted = probabilities.argmax(axis=0)
    truth = (y[0] > 0.5).astype(np.intp) if y.shape[0] == 1 else y.argmax(axis=0)
    sureness = probabilities[predicted, np.arange(x.shape[1])]
    chosen = _picked(predicted == truth, sureness)

    def shown(j: int) -> dict[str, Any]:
        return {
            "sample": columns[j],
            "true": examples.class_name(int(truth[j])),
            "predicted": examples.class_name(int(predicted[j])),
            "p": figure(sureness[j]),
        }

    return {
        "step": step,
        "split": split,
        "split_words": SPLIT_WORDS[split],
        "samples": len(columns),
        "of": int(examples.splits[split][0].shape[1]),
        "kinds": {kind: [shown(j) for j in chosen[kind]] for kind in KINDS},
    }

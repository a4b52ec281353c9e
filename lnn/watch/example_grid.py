"""Pictures of examples with what the network says of them, from its latest parameters: the
ones it gets right most surely, the ones it gets wrong most surely, and the ones it is least
sure of (its largest class probability the smallest)."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.predict import predict_proba
from functions.nn.types import Array
from lnn.watch.examples import Examples
from lnn.watch.images import png_data_uri
from lnn.watch.numbers import figure
from lnn.watch.probabilities import class_probabilities, gives_probabilities

PER_KIND = 8  # pictures of each kind
# The split shown: the first the run has, of those the network was not trained on first.
SPLIT_ORDER = ("test", "dev", "train")
KINDS = ("right", "wrong", "unsure")

__all__ = ["KINDS", "PER_KIND", "example_grid_section", "sample_pixels"]


def sample_pixels(x: Array, shape: tuple[int, ...]) -> np.ndarray:
    """Columns of ``x`` (features, n) as uint8 pictures (n, height, width, channels), each
    stretched over 0..255 on its own (the features may be scaled any way)."""
    low = x.min(axis=0, keepdims=True)
    span = x.max(axis=0, keepdims=True) - low
    scaled = np.divide(x - low, span, out=np.zeros_like(x, dtype=np.float64), where=span > 0)
    channels = shape[2] if len(shape) == 3 else 1
    pixels = np.rint(255 * scaled.T).astype(np.uint8)
    return pixels.reshape(x.shape[1], shape[0], shape[1], channels)


def _picked(right: Array, sureness: Array) -> dict[str, list[int]]:
    """Column indices of each kind, surest first (least sure first for "unsure")."""
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
    params: list[tuple[Array, Array]],
    specs: Sequence[LayerSpec],
    examples: Examples,
    shape: tuple[int, ...],
    step: int,
) -> dict[str, Any] | None:
    """None for a run without examples; for an output whose values are not probabilities
    (only sigmoid and softmax give them), ``why`` nothing is shown."""
    split = next((s for s in SPLIT_ORDER if s in examples.splits), None)
    if split is None:
        return None
    output = specs[-1]
    if not gives_probabilities(output):
        why = (
            f"the output layer is {output.units}:{output.activation}: its values are not "
            "class probabilities (only sigmoid and softmax outputs give them), so no image "
            "is shown as surely right, wrong or unsure"
        )
        return {"step": step, "split": split, "why": why}
    x, y = examples.splits[split]
    probabilities = class_probabilities(predict_proba(params, x, specs))
    predicted = probabilities.argmax(axis=0)
    truth = (y[0] > 0.5).astype(np.intp) if y.shape[0] == 1 else y.argmax(axis=0)
    sureness = probabilities[predicted, np.arange(x.shape[1])]
    picked = _picked(predicted == truth, sureness)
    columns = sorted({i for kind in KINDS for i in picked[kind]})
    pictures = dict(zip(columns, sample_pixels(x[:, columns], shape), strict=True))

    def shown(i: int) -> dict[str, Any]:
        return {
            "sample": i,
            "png": png_data_uri(pictures[i]),
            "true": examples.class_name(int(truth[i])),
            "predicted": examples.class_name(int(predicted[i])),
            "p": figure(sureness[i]),
        }

    return {
        "step": step,
        "split": split,
        "samples": int(x.shape[1]),
        "kinds": {kind: [shown(i) for i in picked[kind]] for kind in KINDS},
    }

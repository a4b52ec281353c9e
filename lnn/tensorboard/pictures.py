"""The first layer's units as pictures, when the inputs are pictures: what each unit looks
for in an image (the cat network's 20 units, each a 64x64 RGB picture of its weights)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from functions.nn.types import Array
from functions.telemetry.figures import picture_shape
from lnn.datasets.images import IMAGE_SHAPES
from lnn.first_layer import CHANGE, WEIGHTS, pictured
from lnn.tensorboard import tags

_GREY = 127.5  # a zero weight; the unit's largest |weight| is black or full colour


@dataclass(frozen=True, eq=False)
class Pictures:
    """``pixels``: uint8 (units, height, width, channels), one picture per unit."""

    tag: str
    step: int
    pixels: np.ndarray


def unit_pixels(w: Array, shape: tuple[int, ...]) -> np.ndarray:
    """Each row of ``w`` (one unit's weights on the pixels) as a picture of ``shape``
    (height, width[, channels]), scaled on its own so zero is mid-grey and its largest
    |weight| is 0 or 255: a unit's pattern shows whatever the size of its weights."""
    w = np.asarray(w, dtype=np.float64)  # one arithmetic whatever the snapshots' precision
    peak = np.max(np.abs(w), axis=1, keepdims=True)
    scaled = np.divide(w, peak, out=np.zeros_like(w, dtype=np.float64), where=peak > 0)
    pixels = np.rint(_GREY * (1.0 + scaled)).astype(np.uint8)
    channels = shape[2] if len(shape) == 3 else 1
    return pixels.reshape(w.shape[0], shape[0], shape[1], channels)


# Picture kind (lnn.first_layer.PICTURE_KINDS) -> its tag under layer 1.
_TAGS = {WEIGHTS: tags.UNITS, CHANGE: tags.UNITS_CHANGE}


def first_layer_pictures(dataset: str, first_layer: Mapping[int, Array]) -> list[Pictures]:
    """``layer1/units`` (W) and ``layer1/units_change`` (W - W(init)) at every kept step when
    ``dataset``'s features are pictures and the step's W1 is finite; none otherwise. Step 0
    shows the init; its change, all zero, is left out."""
    found = []
    for step in sorted(first_layer):
        w1 = first_layer[step]
        if picture_shape(IMAGE_SHAPES.get(dataset), int(w1.shape[1]), weights=w1) is None:
            continue
        shape = IMAGE_SHAPES[dataset]
        for kind, matrix in pictured(first_layer, step).items():
            if kind != CHANGE or step > 0:
                tag = tags.layer_tag(1, _TAGS[kind])
                found.append(Pictures(tag, step, unit_pixels(matrix, shape)))
    return found

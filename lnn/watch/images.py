"""The first layer's units as pictures at the run's kept steps (lnn.first_layer): each
unit's weight row laid out as the input image, W and what training changed, W - W(init), the
same pixels as the TensorBoard export's (lnn.tensorboard.pictures), as PNG data URIs.

The page's slider moves over the kept steps. A step's W1 is read when the page asks for it,
through the reader the feed gives (the reference engine's snapshots in memory; on a stack one
GetObject per shard of the kept version), and its pictures drawn once: the last few stay.
"""

import base64
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.nn.types import Array
from functions.training.schedule import evenly
from lnn.first_layer import FirstLayerReader, pictured
from lnn.tensorboard.pictures import unit_pixels

MAX_UNITS = 64  # pictures drawn at most
# Steps whose pictures a report embeds, evenly spread over the kept ones: the cat network's
# 20 units are about 360 KB of PNG a step, twice that with W - W(init), so 8 steps are 6 MB.
REPORT_STEPS = 8
CACHED_STEPS = 8  # steps whose drawn pictures the live page's server keeps

__all__ = ["REPORT_STEPS", "FirstLayerPictures", "png_data_uri"]


def png_data_uri(pixels: np.ndarray) -> str:
    """A uint8 (height, width, channels) picture as a PNG data URI (1 channel: grey)."""
    from matplotlib.image import imsave  # matplotlib writes the PNG (imported when needed)

    buffer = io.BytesIO()
    if pixels.shape[2] == 1:
        imsave(buffer, pixels[:, :, 0], format="png", cmap="gray", vmin=0, vmax=255)
    else:
        imsave(buffer, pixels, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _images(w: Array, shape: tuple[int, ...]) -> list[str]:
    """Each unit's row scaled on its own: zero weights mid-grey, its largest |weight| black
    or full colour, so a picture shows what the unit looks for, not how large it is."""
    return [png_data_uri(pixels) for pixels in unit_pixels(np.asarray(w[:MAX_UNITS]), shape)]


class FirstLayerPictures:
    """The kept steps a view knows of, the feed's reader of a step's W1, and the pictures
    drawn of the steps asked for lately. Read from the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.steps: list[int] = []
        self._reader: FirstLayerReader | None = None
        self._drawn: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._init: Array | None = None

    def set_source(self, steps: Sequence[int], reader: FirstLayerReader) -> bool:
        """The steps now kept and how to read one; whether the steps changed."""
        with self._lock:
            changed = list(steps) != self.steps
            self.steps, self._reader = sorted(steps), reader
            return changed

    def pictures(self, step: int, shape: tuple[int, ...]) -> dict[str, Any] | None:
        """The step's pictures (``w`` and, with the init kept, ``change``); None for a step
        that is not kept or whose weights cannot be drawn."""
        with self._lock:
            if step in self._drawn:
                self._drawn.move_to_end(step)
                return self._drawn[step]
            if step not in self.steps or self._reader is None:
                return None
            w = self._reader(step)
            if self._init is None and 0 in self.steps:
                self._init = self._reader(0)
            if w is None or not np.all(np.isfinite(w)):
                return None
            first_layer = {step: w} if self._init is None else {0: self._init, step: w}
            drawn = {
                "step": step,
                **{kind: _images(m, shape) for kind, m in pictured(first_layer, step).items()},
            }
            self._drawn[step] = drawn
            while len(self._drawn) > CACHED_STEPS:
                self._drawn.popitem(last=False)
            return drawn

    def section(self, shape: tuple[int, ...], units: int, *, embed: int) -> dict[str, Any] | None:
        """The page's section: the kept steps, with the pictures of ``embed`` of them evenly
        spread (the latest always); the live page asks for the others (``/api/weights``)."""
        steps = list(self.steps)
        if not steps:
            return None
        embedded = {}
        for step in [steps[i] for i in evenly(len(steps), embed)]:
            drawn = self.pictures(step, shape)
            if drawn is not None:
                embedded[str(step)] = drawn
        return {
            "steps": steps,
            "shape": list(shape),
            "units": units,
            "init": 0 in steps,
            "pictures": embedded,
        }

"""The first layer's units as pictures at the run's kept steps (lnn.first_layer): each
unit's weight row laid out as the input image, W and what training changed, W - W(init), the
same pixels as the TensorBoard export's (lnn.tensorboard.pictures), as PNG data URIs.

The page's slider moves over the kept steps. A step's W1 is read when the page asks for it
(``/api/weights``, in the server's thread, never under the view's lock), through the reader
the feed gives (the reference engine's snapshots in memory; on a stack one GetObject per shard
of the kept version), and its pictures drawn once: the last few stay. The live document holds
the kept steps only; a report, which cannot ask, holds the pictures of a few of them.
"""

import base64
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.nn.types import Array
from functions.ports import PortError
from functions.protocol.exceptions import ProtocolError
from functions.training.schedule import evenly
from infra.stack.aws import AWS_ERRORS
from lnn.first_layer import PICTURE_KINDS, FirstLayerReader, pictured
from lnn.tensorboard.pictures import unit_pixels
from lnn.watch.numbers import UNITS_DRAWN

# Steps whose pictures a report embeds, evenly spread over the kept ones: the cat network's
# 20 units are about 360 KB of PNG a step, twice that with W - W(init), so 8 steps are 6 MB.
REPORT_STEPS = 8
CACHED_STEPS = 8  # steps whose drawn pictures the server keeps, and the live page too
# What reading a kept step may raise besides finding nothing: the stack's ports and protocol,
# the AWS SDK, and an object that does not parse as the arrays it should hold.
READ_ERRORS = (PortError, ProtocolError, *AWS_ERRORS, OSError, ValueError, KeyError)

__all__ = [
    "CACHED_STEPS",
    "REPORT_STEPS",
    "FirstLayerPictures",
    "PicturesError",
    "StepNotDrawnError",
    "StepNotKeptError",
    "png_data_uri",
]


class PicturesError(Exception):
    """A step's pictures the page cannot have; the message says why, in one line."""


class StepNotKeptError(PicturesError):
    """The run kept no weights at that step."""


class StepNotDrawnError(PicturesError):
    """The step was kept, but its weights cannot be read or drawn."""


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
    return [png_data_uri(pixels) for pixels in unit_pixels(np.asarray(w[:UNITS_DRAWN]), shape)]


def _read(reader: FirstLayerReader, step: int) -> Array:
    """Step ``step``'s W1, or StepNotDrawnError saying why it cannot be had."""
    try:
        w = reader(step)
    except READ_ERRORS as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StepNotDrawnError(f"its weights could not be read: {reason}") from exc
    if w is None:
        raise StepNotDrawnError("its weights are no longer stored")
    if not np.all(np.isfinite(w)):
        raise StepNotDrawnError("its weights are not all finite (training diverged)")
    return w


class FirstLayerPictures:
    """The kept steps a view knows of, the feed's reader of a step's W1, and the pictures
    drawn of the steps asked for lately. Read from the server's threads; the lock guards
    the fields only, never a read or a drawing."""

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

    def pictures(self, step: int, shape: tuple[int, ...]) -> dict[str, Any]:
        """The step's pictures (``w`` and, with the init kept, ``change``); PicturesError
        says why there are none."""
        with self._lock:
            if step in self._drawn:
                self._drawn.move_to_end(step)
                return self._drawn[step]
            reader, init = self._reader, self._init
            if step not in self.steps or reader is None:
                raise StepNotKeptError(f"step {step} is not a kept step")
            with_init = 0 in self.steps
        w = _read(reader, step)
        if init is None and with_init:
            init = w if step == 0 else _read(reader, 0)
        first_layer = {step: w} if init is None else {0: init, step: w}
        drawn = {
            "step": step,
            **{kind: _images(m, shape) for kind, m in pictured(first_layer, step).items()},
        }
        with self._lock:
            self._init = init
            self._drawn[step] = drawn
            while len(self._drawn) > CACHED_STEPS:
                self._drawn.popitem(last=False)
        return drawn

    def section(self, shape: tuple[int, ...], units: int, *, embed: int) -> dict[str, Any] | None:
        """The page's section: the kept steps, with the pictures of ``embed`` of them evenly
        spread (the latest among them), each step that cannot be drawn under ``failed`` with
        why. Reads and draws: call it without the view's lock held."""
        steps = list(self.steps)
        if not steps:
            return None
        embedded: dict[str, Any] = {}
        failed: dict[str, str] = {}
        for step in [steps[i] for i in evenly(len(steps), embed)]:
            try:
                embedded[str(step)] = self.pictures(step, shape)
            except PicturesError as exc:
                failed[str(step)] = str(exc)
        return {
            "steps": steps,
            "shape": list(shape),
            "units": units,
            "init": 0 in steps,
            "kinds": PICTURE_KINDS,
            "cached_steps": CACHED_STEPS,
            "pictures": embedded,
            "failed": failed,
        }

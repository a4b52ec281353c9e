"""The first layer's units as pictures: each unit's weight row laid out as the input image,
the same pixels as the TensorBoard export's (lnn.tensorboard.pictures), as PNG data URIs."""

import base64
import io
from typing import Any

import numpy as np

from functions.nn.types import Array
from lnn.tensorboard.pictures import unit_pixels

MAX_UNITS = 64  # pictures drawn at most

__all__ = ["png_uri", "weight_images_section"]


def png_uri(pixels: np.ndarray) -> str:
    """A picture (height, width, channels) of uint8 as a PNG data URI."""
    from matplotlib.image import imsave  # matplotlib writes the PNG (imported when needed)

    buffer = io.BytesIO()
    if pixels.shape[2] == 1:
        imsave(buffer, pixels[:, :, 0], format="png", cmap="gray", vmin=0, vmax=255)
    else:
        imsave(buffer, pixels, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def weight_images_section(w: Array, shape: tuple[int, ...], step: int) -> dict[str, Any]:
    """Each unit's row scaled on its own: zero weights mid-grey, its largest |weight| black
    or full colour, so a picture shows what the unit looks for, not how large it is."""
    shown = np.asarray(w[:MAX_UNITS], dtype=np.float64)
    pictures = unit_pixels(shown, shape)
    images = [{"unit": unit, "png": png_uri(pixels)} for unit, pixels in enumerate(pictures)]
    return {"step": step, "shape": list(shape), "units": int(w.shape[0]), "images": images}

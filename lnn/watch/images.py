"""The first layer's units as pictures: each unit's weight row laid out as the input image."""

import base64
import io
from typing import Any

import numpy as np

from functions.nn.types import Array

# Datasets whose samples are images flattened in row-major order, and the image shape.
IMAGE_SHAPES: dict[str, tuple[int, int, int]] = {"cat": (64, 64, 3), "digits": (8, 8, 1)}
MAX_UNITS = 64  # pictures drawn at most


def image_shape(dataset: str | None, n_features: int | None) -> tuple[int, int, int] | None:
    shape = IMAGE_SHAPES.get(dataset or "")
    if shape is None or n_features != shape[0] * shape[1] * shape[2]:
        return None
    return shape


def _png(pixels: np.ndarray) -> str:
    from matplotlib.image import imsave  # matplotlib writes the PNG (imported when needed)

    buffer = io.BytesIO()
    if pixels.shape[2] == 1:
        imsave(buffer, pixels[:, :, 0], format="png", cmap="gray", vmin=0.0, vmax=1.0)
    else:
        imsave(buffer, pixels, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def weight_images_section(w: Array, shape: tuple[int, int, int], step: int) -> dict[str, Any]:
    """Each unit's row scaled to [0, 1] on its own (its largest weights white, its most
    negative black): a picture shows what the unit looks for, not how large it is."""
    images = []
    for unit, row in enumerate(w[:MAX_UNITS]):
        low, high = float(row.min()), float(row.max())
        scaled = (row - low) / (high - low) if high > low else np.zeros_like(row)
        images.append({"unit": unit, "png": _png(scaled.reshape(shape))})
    return {"step": step, "shape": list(shape), "units": int(w.shape[0]), "images": images}

"""An example's picture as the page shows it: its features laid out as the input image (the
layout of lnn.datasets.images), scaled to its own range, shrunk to a thumbnail."""

import math

import numpy as np

from functions.nn.types import Array
from lnn.watch.images import png_data_uri

THUMBNAIL = 32  # pixels on a thumbnail's longest side at most: the cat's 64x64 is halved

__all__ = ["THUMBNAIL", "example_pixels", "thumbnail"]


def example_pixels(column: Array, shape: tuple[int, ...]) -> np.ndarray:
    """One example's features (n_features,) as uint8 (height, width, channels), its lowest
    value black and its highest white (the features are often standardised, not 0..255)."""
    values = np.asarray(column, dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    channels = shape[2] if len(shape) == 3 else 1
    return np.rint(255.0 * scaled).astype(np.uint8).reshape(shape[0], shape[1], channels)


def thumbnail(column: Array, shape: tuple[int, ...]) -> str:
    """The example's picture as a PNG data URI, each block of pixels averaged so its longest
    side is at most THUMBNAIL."""
    pixels = example_pixels(column, shape)
    block = math.ceil(max(shape[0], shape[1]) / THUMBNAIL)
    if block > 1:
        height, width = shape[0] // block, shape[1] // block
        cropped = pixels[: height * block, : width * block].astype(np.float64)
        blocks = cropped.reshape(height, block, width, block, pixels.shape[2])
        pixels = np.rint(blocks.mean(axis=(1, 3))).astype(np.uint8)
    return png_data_uri(pixels)

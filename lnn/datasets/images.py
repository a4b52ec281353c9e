"""Which built-in datasets are pictures, and their shape.

A picture's features are its pixels flattened in numpy's C order of the shape: row by row,
and within a pixel the channels innermost (lnn.datasets.cat reshapes the course's
(m, 64, 64, 3) arrays to (m, 12288); scikit-learn's digits are 8x8 flattened the same way).
So ``features.reshape(shape)`` gives the picture back, and a first-layer unit's weights,
one per feature, can be shown as a picture of the same shape.
"""

from __future__ import annotations

from functions.telemetry.figures import picture_shape

__all__ = ["IMAGE_SHAPES", "image_shape"]

IMAGE_SHAPES: dict[str, tuple[int, ...]] = {
    "cat": (64, 64, 3),  # height, width, RGB
    "digits": (8, 8),  # height, width; grey
}


def image_shape(dataset: str, n_features: int) -> tuple[int, ...] | None:
    """The picture shape of ``dataset``'s features, or None when they are not a picture (or
    not as many as the shape holds, as for a user's file that happens to share the name)."""
    return picture_shape(IMAGE_SHAPES.get(dataset), n_features)

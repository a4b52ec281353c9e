"""Each evaluation's confusion matrices as pictures (``confusion/train``, ``/dev``,
``/test`` at global step = the epoch, 1-based), so TensorBoard's step slider walks through
what the network predicted over the run: rows the true class, columns the predicted one.

The cells are drawn with numpy and the words stamped from glyph bitmaps (matplotlib's
FreeType font, each text rasterised once): a matplotlib figure per matrix took 0.13-0.48 s,
so a long run's hundreds of evaluations took minutes. MAX_EVALUATIONS of them are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from lnn.majority import class_name, confusions, shown_evaluations
from lnn.tensorboard.pictures import Pictures
from messages.status import HistoryEntry

CONFUSION = "confusion"
FONT_PIXELS = 11  # the text's size: a count of a few digits fits a cell
_PAD = 4  # pixels around each text
_CORNER = "true \\ predicted"  # the top-left cell, as the page's table says it
# The cell's shade, from no share of its true class's row (white) to all of it (dark blue).
_EMPTY, _FULL = np.array([247.0, 251.0, 255.0]), np.array([8.0, 48.0, 107.0])
_BLACK, _WHITE = np.zeros(3), np.full(3, 255.0)

__all__ = ["CONFUSION", "confusion_pictures", "confusion_tag", "matrix_pixels"]


def confusion_tag(split: str) -> str:
    return f"{CONFUSION}/{split}"


@cache
def _font():  # type: ignore[no-untyped-def]
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont("DejaVu Sans"))
    font.set_size(FONT_PIXELS, 72)  # points at 72 dpi: pixels
    return font


@cache
def text_mask(text: str) -> np.ndarray:
    """``text``'s coverage (height, width), 0 (none) to 1 (ink)."""
    font = _font()
    font.set_text(text, 0.0)
    font.draw_glyphs_to_bitmap()
    return np.asarray(font.get_image(), dtype=np.float64) / 255.0


def _stamp(
    canvas: np.ndarray, text: str, box: tuple[int, int, int, int], colour: np.ndarray
) -> None:
    """``text`` centred in ``box`` (top, left, height, width), blended over what is there."""
    mask = text_mask(text)
    top, left, height, width = box
    h, w = min(mask.shape[0], height), min(mask.shape[1], width)
    y, x = top + (height - h) // 2, left + (width - w) // 2
    ink = mask[:h, :w, np.newaxis]
    canvas[y : y + h, x : x + w] = canvas[y : y + h, x : x + w] * (1.0 - ink) + colour * ink


def matrix_pixels(
    matrix: Sequence[Sequence[int]], classes: Sequence[str], title: str
) -> np.ndarray:
    """One matrix drawn as uint8 (1, height, width, 3): each cell shaded by its share of the
    true class's row (the diagonal dark when the class is predicted right), its count on it."""
    counts = np.asarray(matrix, dtype=np.int64)
    k = counts.shape[0]
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    names = [class_name(classes, i) for i in range(k)]
    line = FONT_PIXELS + 2 * _PAD
    label = max(text_mask(t).shape[1] for t in [*names, _CORNER]) + 2 * _PAD
    widest = max(text_mask(t).shape[1] for t in [*names, *map(str, counts.ravel())])
    cell = max(line + _PAD, widest + 2 * _PAD)
    top = 2 * line  # the title, then the predicted classes' names
    height = top + k * cell + _PAD
    width = max(label + k * cell + _PAD, text_mask(title).shape[1] + 2 * _PAD)
    canvas = np.full((height, width, 3), 255.0)
    _stamp(canvas, title, (0, 0, line, width), _BLACK)
    _stamp(canvas, _CORNER, (line, 0, line, label), _BLACK)
    for i in range(k):
        _stamp(canvas, names[i], (line, label + i * cell, line, cell), _BLACK)
        _stamp(canvas, names[i], (top + i * cell, 0, cell, label), _BLACK)
        for j in range(k):
            y, x = top + i * cell, label + j * cell
            canvas[y : y + cell - 1, x : x + cell - 1] = _EMPTY + share[i, j] * (_FULL - _EMPTY)
            colour = _WHITE if share[i, j] > 0.5 else _BLACK
            _stamp(canvas, str(counts[i, j]), (y, x, cell - 1, cell - 1), colour)
    return np.rint(canvas).astype(np.uint8)[np.newaxis]


def confusion_pictures(history: Sequence[HistoryEntry], classes: Sequence[str]) -> list[Pictures]:
    """One picture per split and evaluation shown (lnn.majority.shown_evaluations)."""
    pictures = []
    for entry in shown_evaluations(history):
        for split, matrix in confusions(entry).items():
            accuracy = getattr(entry, f"{split}_accuracy")
            title = f"{split}, epoch {entry.epoch}" + (
                "" if accuracy is None else f", accuracy {accuracy:.3f}"
            )
            pixels = matrix_pixels(matrix, classes, title)
            pictures.append(Pictures(confusion_tag(split), entry.epoch, pixels))
    return pictures

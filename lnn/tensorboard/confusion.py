"""Each evaluation's confusion matrices as pictures (``confusion/train``, ``/dev``,
``/test`` at global step = the epoch, 1-based), so TensorBoard's step slider walks through
what the network predicted over the run: rows the true class, columns the predicted one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lnn.majority import class_name, confusions
from lnn.tensorboard.pictures import Pictures
from messages.status import HistoryEntry

CONFUSION = "confusion"
_DPI = 80
_CELL_INCHES = 0.45  # a cell holds a count of a few digits at the fonts below


def confusion_tag(split: str) -> str:
    return f"{CONFUSION}/{split}"


def matrix_pixels(
    matrix: Sequence[Sequence[int]], classes: Sequence[str], title: str
) -> np.ndarray:
    """One matrix drawn as uint8 (1, height, width, 3): each cell shaded by its share of the
    true class's row (the diagonal dark when the class is predicted right), its count on it."""
    # Imported when a board is drawn, not on import; Agg draws without a display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    counts = np.asarray(matrix, dtype=np.int64)
    k = counts.shape[0]
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    names = [class_name(classes, i) for i in range(k)]
    side = max(3.0, 1.5 + _CELL_INCHES * k)
    figure = Figure(figsize=(side, side), dpi=_DPI)
    axes = figure.add_subplot()
    axes.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    for i in range(k):
        for j in range(k):
            colour = "white" if share[i, j] > 0.5 else "black"
            axes.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8, color=colour)
    axes.set_xticks(range(k), names, rotation=90 if k > 4 else 0, fontsize=8)
    axes.set_yticks(range(k), names, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=9)
    figure.tight_layout()
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return rgba[np.newaxis, :, :, :3].copy()


def confusion_pictures(history: Sequence[HistoryEntry], classes: Sequence[str]) -> list[Pictures]:
    """One picture per split and evaluation that has a confusion matrix."""
    pictures = []
    for entry in history:
        for split, matrix in confusions(entry).items():
            accuracy = getattr(entry, f"{split}_accuracy")
            title = f"{split}, epoch {entry.epoch}" + (
                "" if accuracy is None else f", accuracy {accuracy:.3f}"
            )
            pixels = matrix_pixels(matrix, classes, title)
            pictures.append(Pictures(confusion_tag(split), entry.epoch, pixels))
    return pictures

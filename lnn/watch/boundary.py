"""The decision boundary of a network on 2-D inputs: its output over a grid spanning the
data, and the training points to lay over it."""

from typing import Any

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.predict import predict_plane, predict_proba
from functions.nn.types import Array, Params
from functions.training.schedule import evenly
from lnn.majority import class_name
from lnn.watch.numbers import figures

GRID = 60  # points per axis: a smooth enough boundary, 3,600 predictions
POINTS = 1000  # training points drawn at most


def boundary_section(
    params: Params,
    specs: list[LayerSpec],
    x: Array,
    y: Array,
    step: int,
    classes: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``x`` is (2, m), ``y`` (units, m). ``z`` is the probability of class 1 for one output
    unit, the predicted class for several; ``wrong`` marks the points the network gets wrong
    (null for a regression); ``class_names`` name the classes (``classes``, else numbers)."""
    xs, ys, proba = predict_plane(params, x, specs, GRID)
    z = proba[0] if proba.shape[0] == 1 else proba.argmax(axis=0).astype(np.float64)
    labels = y[0] if y.shape[0] == 1 else y.argmax(axis=0)
    shown = evenly(x.shape[1], POINTS)
    wrong = None
    if specs[-1].activation != "linear":
        # Counted as the accuracy counts: one unit thresholded at 0.5, several by argmax.
        out = predict_proba(params, x[:, shown], specs)
        if y.shape[0] == 1:
            wrong = ((out[0] > 0.5) != (labels[shown] > 0.5)).tolist()
        else:
            wrong = (out.argmax(axis=0) != labels[shown]).tolist()
    return {
        "step": step,
        "classes": int(max(2, y.shape[0])),
        "class_names": [class_name(classes, k) for k in range(max(2, y.shape[0]))],
        "x": figures(xs),
        "y": figures(ys),
        "z": [figures(row) for row in z],
        "points": {
            "x": figures(x[0, shown]),
            "y": figures(x[1, shown]),
            "label": [int(v) if float(v).is_integer() else float(v) for v in labels[shown]],
            "wrong": wrong,
        },
    }

"""What each unit computes over the input plane, for 2-D inputs (TensorFlow Playground's
view): every unit's activation on a coarse grid spanning the data, layer by layer; the output
layer's map is the decision boundary. One forward pass over the grid gives every layer."""

from typing import Any

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.predict import activations_plane
from functions.nn.types import Array, Params
from functions.training.schedule import evenly
from lnn.watch.examples import Examples
from lnn.watch.numbers import figure, figures
from lnn.watch.probabilities import gives_probabilities, unit_classes

MAP_GRID = 21  # points per axis: 441 values a map, enough to see a unit's shape, drawn smooth
MAP_DIGITS = 3  # significant digits of a map's values: colour needs no more
UNITS_PER_LAYER = 16  # maps of one layer drawn at most (its first units)
MAX_MAPS = 64  # maps in the document at most, the output layer's first: about 150 KB
POINTS = 300  # training points laid faintly over the enlarged map

# Activations bounded to 0..1 are drawn on that range; tanh on -1..1. Others take their range
# from the maps: relu from 0 to its largest value, linear and leaky relu around 0.
_FIXED_RANGE = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}
_FROM_ZERO = frozenset({"relu"})

__all__ = ["MAP_GRID", "MAX_MAPS", "UNITS_PER_LAYER", "colour_range", "unit_maps_section"]


def colour_range(activation: str, maps: Array) -> tuple[float, float]:
    """The value range a layer's maps are coloured over: 0 mid-scale when it is diverging
    (low < 0), so a unit's sign reads the same in every map of the layer."""
    if activation in _FIXED_RANGE:
        return _FIXED_RANGE[activation]
    finite = maps[np.isfinite(maps)]
    peak = float(np.max(np.abs(finite))) if finite.size else 0.0
    peak = peak if peak > 0 else 1.0
    return (0.0, peak) if activation in _FROM_ZERO else (-peak, peak)


def _shown_per_layer(specs: list[LayerSpec]) -> list[int]:
    """How many maps of each layer are drawn: the output's first, then the hidden layers in
    order while MAX_MAPS allows."""
    shown = [0] * len(specs)
    budget = MAX_MAPS
    for index in [len(specs) - 1, *range(len(specs) - 1)]:
        shown[index] = min(specs[index].units, UNITS_PER_LAYER, budget)
        budget -= shown[index]
    return shown


def _unit_names(spec: LayerSpec, count: int, output: bool, examples: Examples) -> list[str]:
    """What a map shows: a hidden unit, or for the output P(class) (the boundary itself)."""
    if not output:
        return [f"unit {k}" for k in range(count)]
    if gives_probabilities(spec):
        return [f"P({examples.class_name(k)})" for k in unit_classes(spec)[:count]]
    return [f"output {k}" for k in range(count)]


def unit_maps_section(
    params: Params,
    specs: list[LayerSpec],
    x: Array,
    y: Array,
    step: int,
    classes: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``x`` is (2, m), ``y`` (units, m). Each map is ``grid`` x ``grid`` values, row by row
    from the lowest second feature up (the axes ``x`` and ``y``); ``classes`` name the
    output's units and the points' classes (``class_names``)."""
    xs, ys, planes = activations_plane(params, x, specs, MAP_GRID)
    named = Examples(classes=classes)
    layers = []
    for index, (spec, plane, count) in enumerate(
        zip(specs, planes, _shown_per_layer(specs), strict=True), start=1
    ):
        low, high = colour_range(spec.activation, plane[:count])
        layers.append(
            {
                "layer": index,
                "activation": spec.activation,
                "units": spec.units,
                "names": _unit_names(spec, count, index == len(specs), named),
                "low": figure(low),
                "high": figure(high),
                "maps": [figures(unit, MAP_DIGITS) for unit in plane[:count]],
            }
        )
    labels = y[0] if y.shape[0] == 1 else y.argmax(axis=0)
    shown = evenly(x.shape[1], POINTS)
    return {
        "step": step,
        "grid": MAP_GRID,
        "x": figures(xs),
        "y": figures(ys),
        "layers": layers,
        "class_names": [named.class_name(k) for k in range(max(2, y.shape[0]))],
        "not_shown": sum(s.units for s in specs) - sum(len(layer["maps"]) for layer in layers),
        "limits": {"per_layer": UNITS_PER_LAYER, "total": MAX_MAPS},
        "points": {
            "x": figures(x[0, shown]),
            "y": figures(x[1, shown]),
            "label": figures(labels[shown]),
        },
    }

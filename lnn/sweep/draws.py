"""The trials of a sweep: drawn at random from its search space, or every point of its grid,
each a set of option values (JSON) that trial_config turns into the trial's TrainConfig."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from lnn.layer_text import LayersTextError, parse_layers
from lnn.sweep.exceptions import SearchSpecError
from lnn.sweep.search import (
    SEARCHABLE,
    Choice,
    Dimension,
    Fixed,
    Range,
    SearchSpace,
    option_field,
)
from messages.train_request import TrainConfig

__all__ = ["METHODS", "draw_trials", "trial_config"]

METHODS = ("random", "grid")
# Drawn floats keep this many significant digits: the record and the page show the value
# a trial trained with, not a rounding of it.
_DIGITS = 6


def draw_trials(
    space: SearchSpace, *, method: str, trials: int | None, seed: int, grid_points: int
) -> list[dict[str, Any]]:
    """Each trial's values by option name, in the search's order. random: `trials` draws
    from numpy's default_rng(seed), each trial drawing its dimensions in order, so that the
    same seed gives the same trials and more trials keep the first ones. grid: every point
    (trials None, or exactly the grid's size), the first dimension varying slowest."""
    if method == "random":
        if trials is None or trials < 1:
            raise SearchSpecError(f"--trials: random search needs 1 or more trials, got {trials}")
        rng = np.random.default_rng(seed)
        return [{d.name: _draw(d, rng) for d in space.dimensions} for _ in range(trials)]
    if method == "grid":
        axes = [_grid_axis(d, grid_points) for d in space.dimensions]
        size = math.prod(len(axis) for axis in axes)
        if trials is not None and trials != size:
            sizes = zip(space.names, map(len, axes), strict=True)
            counts = " x ".join(f"{count} {name}" for name, count in sizes)
            raise SearchSpecError(
                f"--trials {trials}: the grid of this search has {size} points ({counts}); "
                "leave --trials out to run them all"
            )
        return [dict(zip(space.names, point, strict=True)) for point in itertools.product(*axes)]
    raise SearchSpecError(f"--method: {method!r} is not one of {', '.join(METHODS)}")


def trial_config(base: TrainConfig, params: Mapping[str, Any]) -> TrainConfig:
    """The base config with a trial's values, validated as any run's config is."""
    update: dict[str, Any] = {}
    for name, value in params.items():
        if name not in SEARCHABLE:
            raise SearchSpecError(f"--search: {name!r} is not an option a sweep searches")
        try:
            update[option_field(name)] = parse_layers(value) if name == "layers" else value
        except LayersTextError as exc:
            raise SearchSpecError(f"--search: layers={value}: {exc}") from exc
    try:
        return TrainConfig.model_validate({**base.model_dump(), **update})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = error["loc"][0] if error["loc"] else None
        # A model-level rule (softmax output units, step decay) names no field: show all.
        named = [n for n in params if option_field(n) == field] or list(params)
        shown = ", ".join(f"{n}={params[n]}" for n in named)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SearchSpecError(f"--search: {shown}: {message}") from exc


def _draw(dimension: Dimension, rng: np.random.Generator) -> Any:
    kind = dimension.kind
    if isinstance(kind, Fixed):
        return kind.value
    if isinstance(kind, Choice):
        return kind.values[int(rng.integers(len(kind.values)))]
    if kind.scale == "int":
        return int(rng.integers(int(kind.low), int(kind.high), endpoint=True))
    if kind.scale == "uniform":
        return _round(float(rng.uniform(kind.low, kind.high)))
    power = 10 ** float(rng.uniform(math.log10(kind.low), math.log10(kind.high)))
    return _on_scale(kind, power)


def _grid_axis(dimension: Dimension, grid_points: int) -> list[Any]:
    kind = dimension.kind
    if isinstance(kind, Fixed):
        return [kind.value]
    if isinstance(kind, Choice):
        return list(kind.values)
    count = kind.points or grid_points
    if count < 2:
        raise SearchSpecError(f"--grid-points: a range needs 2 or more points, got {count}")
    if kind.scale == "int":
        return sorted({int(x) for x in np.rint(np.linspace(kind.low, kind.high, count))})
    if kind.scale == "uniform":
        return [_round(float(x)) for x in np.linspace(kind.low, kind.high, count)]
    exponents = np.linspace(math.log10(kind.low), math.log10(kind.high), count)
    return [_on_scale(kind, 10 ** float(r)) for r in exponents]


def _on_scale(kind: Range, power: float) -> float:
    """A log range's value for 10^r: the power itself, or for 1-log one minus it."""
    if kind.scale == "log":
        return _round(power)
    # 1 - beta keeps its significant digits (0.0123457 -> 0.9876543), and the value stays
    # below 1 however close to 1 the range reaches.
    complement = _round(power)
    return round(1.0 - complement, _DIGITS - 1 - math.floor(math.log10(complement)))


def _round(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")

"""The search space of a sweep: ``--search "lr=log:1e-4:1,layers=choice:8:relu,1:sigmoid|..."``
parsed into one dimension per option (the grammar: docs/sweeps.md, "The search space")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import ValidationError

from lnn.layer_text import LayersTextError, layers_text, parse_layers
from lnn.sweep.exceptions import SearchSpecError
from messages.train_request import LayerSpecModel, TrainConfig

__all__ = [
    "SEARCHABLE",
    "Choice",
    "Dimension",
    "Fixed",
    "Range",
    "SearchSpace",
    "option_field",
    "parse_search",
]

# The `lnn train` options a sweep may search, spelled as the options are (without dashes).
SEARCHABLE = (
    *("lr", "lr-decay", "lr-schedule", "decay-interval", "optimizer", "beta1", "beta2"),
    *("epsilon", "l2", "dropout", "init", "batch-size", "epochs", "layers", "seed", "shards"),
    *("bn-momentum", "bn-epsilon"),
)
# Options that would change what the trials are compared on rather than how they train.
_FIXED_BY_THE_SWEEP = ("dataset", "holdout")

Scale = Literal["uniform", "log", "1-log", "int"]
_PREFIXES: dict[str, Scale] = {"log:": "log", "1-log:": "1-log", "int:": "int"}
# A comma starts a new item only before NAME=; any other comma belongs to a layers value.
_ITEM_SPLIT = re.compile(r",(?=\s*[A-Za-z][A-Za-z0-9_-]*\s*=)")


@dataclass(frozen=True)
class Fixed:
    """One value for every trial."""

    value: Any


@dataclass(frozen=True)
class Choice:
    """One of the values, each as likely; all of them in a grid."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Range:
    """A number between low and high on a scale: uniform, log (10^r, r uniform between the
    bounds' logs), 1-log (1 - 10^r: the bounds are 1 - value) or int (inclusive); a grid
    takes `points` evenly spaced on that scale, or the sweep's count when None."""

    scale: Scale
    low: float
    high: float
    points: int | None = None


@dataclass(frozen=True)
class Dimension:
    name: str  # the option name, as the search spells it: batch-size
    kind: Fixed | Choice | Range
    text: str  # the item as written, for messages: "batch-size=choice:32|64|0"

    @property
    def field(self) -> str:
        return option_field(self.name)


@dataclass(frozen=True)
class SearchSpace:
    dimensions: tuple[Dimension, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The searched options, in the order the search names them."""
        return tuple(d.name for d in self.dimensions)


def option_field(name: str) -> str:
    """The TrainConfig field an option sets: batch-size -> batch_size."""
    return name.replace("-", "_")


def parse_search(text: str) -> SearchSpace:
    """``NAME=VALUE,...`` -> SearchSpace; SearchSpecError naming the bad item otherwise."""
    if not text.strip():
        raise SearchSpecError("--search: empty; expected NAME=VALUE,... (docs/sweeps.md)")
    dimensions: list[Dimension] = []
    for item in _ITEM_SPLIT.split(text):
        dimension = _parse_item(item.strip())
        if dimension.name in (d.name for d in dimensions):
            raise SearchSpecError(f'--search: "{item.strip()}": {dimension.name} is named twice')
        dimensions.append(dimension)
    return SearchSpace(tuple(dimensions))


def _parse_item(item: str) -> Dimension:
    name, equals, value = (part.strip() for part in item.partition("="))
    if not equals or not name:
        raise SearchSpecError(f'--search: "{item}": expected NAME=VALUE')
    if name in _FIXED_BY_THE_SWEEP:
        raise SearchSpecError(
            f'--search: "{item}": {name} cannot be searched: it changes the data the trials '
            f"are compared on (give --{name} to the sweep instead)"
        )
    if name not in SEARCHABLE:
        raise SearchSpecError(
            f'--search: "{item}": unknown name {name!r} (choose from {", ".join(SEARCHABLE)})'
        )
    try:
        return Dimension(name, _parse_value(name, value), item)
    except ValueError as exc:
        raise SearchSpecError(f'--search: "{item}": {exc}') from exc


def _parse_value(name: str, text: str) -> Fixed | Choice | Range:
    if text.startswith("choice:"):
        items = text.removeprefix("choice:").split("|")
        if any(not x.strip() for x in items):
            raise ValueError("a choice needs values between its |, none empty")
        values = tuple(_parse_one(name, x.strip()) for x in items)
        if len(set(values)) < len(values):
            raise ValueError("a choice names a value twice")
        return Choice(values)
    annotation = TrainConfig.model_fields[option_field(name)].annotation
    if name == "layers" or get_origin(annotation) is Literal:
        return Fixed(_parse_one(name, text))  # names and layers have no ranges
    scale: Scale = "uniform"
    for prefix, prefixed in _PREFIXES.items():
        if text.startswith(prefix):
            scale, text = prefixed, text.removeprefix(prefix)
    if scale == "uniform" and ":" not in text:
        return Fixed(_parse_one(name, text))
    return _parse_range(name, scale, text)


def _parse_range(name: str, scale: Scale, text: str) -> Range:
    whole = _is_integer_option(name)
    if whole != (scale == "int"):
        raise ValueError(
            f"{name} takes whole numbers: use int:A:B"
            if whole
            else f"int: ranges are for the whole-number options, not {name}"
        )
    fields = text.split(":")
    if len(fields) not in (2, 3):
        raise ValueError("a range is A:B or A:B:POINTS")
    low, high = (_number(x, whole=whole) for x in fields[:2])
    points = int(_number(fields[2], whole=True)) if len(fields) == 3 else None
    if low >= high:
        raise ValueError(f"a range needs A < B, got {fields[0]} >= {fields[1]}")
    if scale in ("log", "1-log") and low <= 0:
        raise ValueError(f"{scale} range bounds must be > 0")
    if scale == "1-log" and high > 1:
        raise ValueError("1-log bounds are 1 - value and must be at most 1")
    if points is not None and points < 2:
        raise ValueError(f"a range's grid points must be >= 2, got {points}")
    return Range(scale, low, high, points)


def _parse_one(name: str, text: str) -> Any:
    """One value of the option, as JSON: a number of its type, a name, or layers text."""
    if name == "layers":
        try:
            layers = [LayerSpecModel.model_validate(x) for x in parse_layers(text)]
        except LayersTextError as exc:
            raise ValueError(str(exc)) from exc
        except ValidationError as exc:  # units out of bounds: one line, not pydantic's report
            error = exc.errors()[0]
            raise ValueError(f"layers {text!r}: {error['loc'][0]}: {error['msg'].lower()}") from exc
        return layers_text(layers)
    annotation = TrainConfig.model_fields[option_field(name)].annotation
    if get_origin(annotation) is Literal:
        if text not in get_args(annotation):
            raise ValueError(f"{text!r} is not one of {', '.join(get_args(annotation))}")
        return text
    whole = _is_integer_option(name)
    number = _number(text, whole=whole)
    return int(number) if whole else number


def _is_integer_option(name: str) -> bool:
    default = TrainConfig.model_fields[option_field(name)].default
    return type(default) is int


def _number(text: str, *, whole: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"bad number {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"bad number {text!r}")
    if whole and not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return value

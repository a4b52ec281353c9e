"""One sample's path through the network: for a bounded set of the run's examples (a few of
each split, evenly spread), every layer's activations A[1] .. A[L] for that sample, unit by
unit, and the output's probability per class, from the latest parameters."""

from typing import Any

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.predict import layer_activations
from functions.nn.types import Array, Params
from functions.training.schedule import evenly
from lnn.splits import SPLITS
from lnn.watch.examples import Examples
from lnn.watch.numbers import UNITS_DRAWN, figure, figures
from lnn.watch.probabilities import class_count, class_probabilities, gives_probabilities
from lnn.watch.thumbnails import thumbnail

PATH_SAMPLES = 24  # samples with a path in the document, shared among the splits the run has

__all__ = [
    "PATH_SAMPLES",
    "chosen_examples",
    "sample_path_section",
    "sample_pictures_section",
]


def chosen_examples(examples: Examples) -> dict[str, list[int]]:
    """The columns of each split whose path is shipped: PATH_SAMPLES shared among the splits
    present, evenly spread over each (first and last included)."""
    present = [name for name in SPLITS if name in examples.splits]
    if not present:
        return {}
    share = max(1, PATH_SAMPLES // len(present))
    return {name: evenly(examples.splits[name][0].shape[1], share) for name in present}


def _output_names(spec: LayerSpec, examples: Examples) -> list[str]:
    """What each output value is: P(class) for a probability output (a single sigmoid unit
    gives both classes), the unit's value otherwise."""
    if not gives_probabilities(spec):
        return ["output" if spec.units == 1 else f"output {k}" for k in range(spec.units)]
    return [f"P({examples.class_name(k)})" for k in range(class_count(spec))]


def _output_values(spec: LayerSpec, a: Array) -> Array:
    """(values, m) in _output_names' order: a sigmoid unit's P(class 1) gives P(class 0) too."""
    return class_probabilities(a) if gives_probabilities(spec) else a


def _labels(spec: LayerSpec, y: Array, examples: Examples) -> list[Any]:
    """The examples' true labels as a person reads them: a class name, or the target value."""
    if not gives_probabilities(spec):
        return [figure(v) for v in y[0]]
    classes = y.argmax(axis=0) if y.shape[0] > 1 else np.rint(y[0]).astype(int)
    return [examples.class_name(int(k)) for k in classes]


def _predicted(spec: LayerSpec, a: Array, examples: Examples) -> list[Any]:
    if not gives_probabilities(spec):
        return [figure(v) for v in a[0]]
    classes = a.argmax(axis=0) if a.shape[0] > 1 else (a[0] > 0.5).astype(int)
    return [examples.class_name(int(k)) for k in classes]


def sample_pictures_section(examples: Examples, shape: tuple[int, ...]) -> list[str]:
    """The thumbnails of the samples of sample_path_section, in its order: apart from the
    path, as they do not change with the parameters (a poll need not bring them again)."""
    return [
        thumbnail(examples.splits[split][0][:, column], shape)
        for split, columns in chosen_examples(examples).items()
        for column in columns
    ]


def sample_path_section(
    params: Params, specs: list[LayerSpec], examples: Examples, step: int
) -> dict[str, Any]:
    """The chosen samples' paths from ``params``; 2-D inputs give each sample's point."""
    output = specs[-1]
    samples: list[dict[str, Any]] = []
    for split, columns in chosen_examples(examples).items():
        x, y = examples.splits[split]
        x, y = x[:, columns], y[:, columns]
        layers = layer_activations(params, x, specs)
        values = _output_values(output, layers[-1])
        labels, predicted = _labels(output, y, examples), _predicted(output, layers[-1], examples)
        for j, column in enumerate(columns):
            sample: dict[str, Any] = {
                "split": split,
                "index": column,
                "label": labels[j],
                "predicted": predicted[j],
                "layers": [figures(a[:UNITS_DRAWN, j]) for a in layers],
                "output": figures(values[:, j]),
            }
            if x.shape[0] == 2:
                sample["point"] = figures(x[:, j])
            samples.append(sample)
    return {
        "step": step,
        "layers": [
            {"layer": i, "activation": s.activation, "units": s.units}
            for i, s in enumerate(specs, start=1)
        ],
        "units_shown": UNITS_DRAWN,
        "output_names": _output_names(output, examples),
        "probabilities": gives_probabilities(output),
        "samples": samples,
    }

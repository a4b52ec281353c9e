"""Training data a network can learn from: finite numbers, and targets that the loss its
output layer implies is defined for.

One pure check for every door a run comes in by (`lnn train`, `lnn submit`, the trainer
Lambda for a request from any client), so bad data is refused with the same one-line reason
wherever it enters, before it costs a step.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from functions.nn.exceptions import NNError
from functions.nn.losses import BinaryCrossEntropy, CategoricalCrossEntropy, loss_for_output

__all__ = ["TrainingDataError", "check_training_data"]

_SHOWN = 5  # offending values (or samples) a reason lists before "and N more"


class TrainingDataError(NNError):
    """Training data the network cannot learn from; the message names the problem."""


def check_training_data(
    x: npt.ArrayLike | None,
    y: npt.ArrayLike | None,
    *,
    activation: str,
    suffix: str = "",
) -> None:
    """Raise TrainingDataError unless ``x`` (features x samples) is finite and ``y`` (outputs
    x samples, encoded) holds targets of an ``activation`` output layer's loss.

    sigmoid (binary cross-entropy) needs 0 or 1 everywhere, softmax (categorical
    cross-entropy) one-hot columns, any other output (mean squared error) finite reals.
    Either array may be None when only the other is at hand (a client holding one of them
    inline). ``suffix`` names them in the reason: "x_train", "y_test", ...
    """
    if x is not None:
        _check_finite(f"x{suffix}", np.asarray(x))
    if y is None:
        return
    name, targets = f"y{suffix}", np.asarray(y)
    _check_finite(name, targets)
    loss = loss_for_output(activation)
    if isinstance(loss, BinaryCrossEntropy):
        _check_binary(name, targets, activation)
    elif isinstance(loss, CategoricalCrossEntropy):
        _check_one_hot(name, targets, activation)


def _check_finite(name: str, a: np.ndarray) -> None:
    if a.dtype.kind not in "fc" or a.size == 0:
        return  # integers and booleans are always finite
    # min and max propagate NaN and reach +-inf: the common, clean case allocates nothing.
    if np.isfinite(a.min()) and np.isfinite(a.max()):
        return
    bad = ~np.isfinite(a)
    count = int(np.count_nonzero(bad))
    kinds = sorted({_kind(float(v)) for v in np.unique(a[bad])})
    if a.ndim == 2:  # the first sample (a column) holding one, then its first row
        sample, row = (int(i) for i in np.argwhere(bad.T)[0])
        where = f"row {row} of sample {sample}"
    else:
        where = f"index {tuple(int(i) for i in np.argwhere(bad)[0])}"
    raise TrainingDataError(
        f"{name} holds {count} non-finite value{_s(count)} ({', '.join(kinds)}), "
        f"the first at {where}"
    )


def _check_binary(name: str, y: np.ndarray, activation: str) -> None:
    outside = np.unique(y[(y != 0) & (y != 1)])
    if outside.size:
        raise TrainingDataError(
            f"{name} holds {outside.size} distinct value{_s(outside.size)} outside {{0, 1}}, the "
            f"targets of a {activation} output (cross-entropy): {_listed(outside)}"
        )


def _check_one_hot(name: str, y: np.ndarray, activation: str) -> None:
    if y.ndim != 2:
        raise TrainingDataError(f"{name} must be 2-D (classes, samples), got shape {y.shape}")
    units = y.shape[0]
    one_hot = np.all((y == 0) | (y == 1), axis=0) & (np.sum(y, axis=0) == 1)
    bad = np.flatnonzero(~one_hot)
    if bad.size:
        raise TrainingDataError(
            f"{name} holds {bad.size} sample{_s(bad.size)} that are not one of the {units} "
            f"classes of a {units}:{activation} output (cross-entropy takes one-hot columns: "
            f"a single 1, the rest 0): sample{_s(bad.size)} {_listed(bad)}"
        )


def _kind(value: float) -> str:
    return "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")


def _listed(values: np.ndarray) -> str:
    shown = ", ".join(f"{v:g}" for v in values[:_SHOWN].tolist())
    more = values.size - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _s(count: int) -> str:
    return "" if count == 1 else "s"

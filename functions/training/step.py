"""The arithmetic of one shard in one hop, shared by the Lambdas and the reference engine.

A shard owns rows ``[start, stop)`` of a layer's W and b. With one shard per layer these
functions are exactly the whole-layer math; that is how the reference engine calls them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from functions.nn.activations import get_activation
from functions.nn.data import accuracy
from functions.nn.dense import dense_backward, dense_forward, hidden_delta
from functions.nn.losses import loss_for_output, output_delta
from functions.nn.optimizers import Optimizer
from functions.nn.regularization import dropout_mask
from functions.nn.types import Array
from functions.telemetry.classes import class_counts, counts_classes
from messages.base import split_fields
from messages.tasks import EvalMetrics


@dataclass(frozen=True)
class LossResult:
    cost: float
    dz: Array
    a: Array  # g(Z) of the output layer, which the telemetry's figures reuse


@dataclass(frozen=True)
class ShardGradients:
    """Raw gradients of one shard (before any optimizer) and its share of dA_prev."""

    dz: Array
    dw: Array
    db: Array
    da_prev: Array | None


@dataclass(frozen=True)
class ShardUpdate:
    w: Array
    b: Array
    state: dict[str, Array]
    da_prev: Array | None


def shard_mask(
    *,
    keep_prob: float,
    seed: int,
    epoch: int,
    batch: int,
    layer: int,
    units: int,
    m: int,
    rows: tuple[int, int],
) -> Array | None:
    """Rows of the layer's dropout mask; drawn for the whole layer so sharding changes nothing."""
    if keep_prob >= 1.0:
        return None
    full = dropout_mask(
        seed=seed, epoch=epoch, batch=batch, layer=layer, shape=(units, m), keep_prob=keep_prob
    )
    return full[rows[0] : rows[1]]


def forward_shard(
    w: Array, b: Array, a_prev: Array, activation: str, *, mask: Array | None, is_output: bool
) -> tuple[Array, Array | None]:
    """Z of the shard, and its activation unless it is the output layer (the loss stage owns that,
    because softmax needs every output unit)."""
    if is_output:
        return w @ a_prev + b, None
    return dense_forward(w, b, a_prev, get_activation(activation), mask)


def loss_stage(
    z: Array, y: Array, activation: str, *, l2: float, weight_sq_sum: float
) -> LossResult:
    """Cost of a batch (with its L2 term) and dZ of the output layer."""
    act = get_activation(activation)
    loss = loss_for_output(activation)
    a = act.forward(z)
    m = z.shape[1]
    cost = loss.cost(y, a, z) + l2 * weight_sq_sum / (2 * m)
    return LossResult(float(cost), output_delta(loss, act, y, a, z), a)


def shard_gradients(
    w: Array,
    *,
    a_prev: Array,
    z: Array | None,
    grad: Array,
    grad_kind: Literal["dz", "da"],
    activation: str,
    mask: Array | None,
    l2: float,
    need_da_prev: bool,
) -> ShardGradients:
    """dZ, dW, db of the shard from its rows of dZ (output layer) or dA (hidden layer, which
    needs the shard's Z), and its share of dA_prev; the gradient check differentiates this."""
    if grad_kind == "dz":
        dz = grad
    else:
        if z is None:
            raise ValueError("a hidden layer's backward step needs the shard's Z")
        dz = hidden_delta(grad, z, get_activation(activation), mask)
    dw, db, da_prev = dense_backward(
        dz, a_prev, w, lambd=l2, m=a_prev.shape[1], need_da_prev=need_da_prev
    )
    return ShardGradients(dz, dw, db, da_prev)


def update_shard(
    w: Array,
    b: Array,
    state: Mapping[str, Array],
    grads: ShardGradients,
    *,
    optimizer: Optimizer,
    lr: float,
    step: int,
) -> ShardUpdate:
    """The optimizer's step on the shard with its gradients; dA_prev rides along (it was
    computed with the pre-update W)."""
    params, new_state = optimizer.update(
        {"W": w, "b": b}, {"W": grads.dw, "b": grads.db}, dict(state), lr=lr, step=step
    )
    return ShardUpdate(params["W"], params["b"], new_state, grads.da_prev)


def evaluate_outputs(
    z: Array,
    y: Array,
    sizes: tuple[int, int, int],
    activation: str,
    *,
    l2: float,
    weight_sq_sum: float,
) -> EvalMetrics:
    """Cost on the training columns, and accuracy and confusion matrix on train, dev and
    test, of one eval pass (None for a split without columns; no accuracy for a regression,
    no matrix beyond the classes counted). A matrix counts like telemetry's class counts:
    its diagonal over its sum is the accuracy."""
    act = get_activation(activation)
    a = act.forward(z)
    n_train = sizes[0]
    bounds = np.cumsum((0, *sizes))
    parts = [slice(bounds[i], bounds[i + 1]) for i in range(3)]
    train = parts[0]
    cost = loss_for_output(activation).cost(y[:, train], a[:, train], z[:, train])
    cost += l2 * weight_sq_sum / (2 * n_train)

    def acc(cols: slice) -> float | None:
        if activation == "linear" or cols.stop == cols.start:
            return None
        return float(accuracy(y[:, cols], a[:, cols], activation))

    counted = counts_classes(activation, a.shape[0])

    def confusion(cols: slice) -> list[list[int]] | None:
        if not counted or cols.stop == cols.start:
            return None
        return class_counts(y[:, cols], a[:, cols], activation).confusion.tolist()

    by_split = split_fields([acc(p) for p in parts], [confusion(p) for p in parts])
    return EvalMetrics(train_cost=float(cost), **by_split)


def weight_sq_sum(params: list[tuple[Array, Array]]) -> float:
    """Sum of squared weights, accumulated layer by layer as the forward messages do (callers
    skip it when L2 is off: the term is zero and the sum costs a pass over every weight)."""
    total = 0.0
    for w, _ in params:
        total += float(np.sum(w * w))
    return total

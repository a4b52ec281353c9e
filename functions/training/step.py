"""The arithmetic of one shard in one hop, shared by the Lambdas and the reference engine.

A shard owns rows ``[start, stop)`` of every array of a layer (W and b, or W, gamma, beta and
batch norm's running averages): whole units, each with every sample of its batch, so batch
norm's statistics never leave the shard. With one shard per layer these functions are exactly
the whole-layer math; that is how the reference engine calls them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from functions.nn.activations import get_activation
from functions.nn.batchnorm import TRAINED, BatchStatistics
from functions.nn.dense import DenseForward, dense_backward, dense_forward, hidden_delta, linear
from functions.nn.layers import BIAS, LayerSpec
from functions.nn.losses import loss_for_output, output_delta
from functions.nn.optimizers import Optimizer
from functions.nn.regularization import dropout_mask
from functions.nn.types import Array, LayerParams


@dataclass(frozen=True)
class LossResult:
    cost: float
    dz: Array
    a: Array  # g(Z) of the output layer, which the telemetry's figures reuse


@dataclass(frozen=True)
class ShardGradients:
    """Raw gradients of one shard's arrays (before any optimizer, keyed as its parameters),
    its dZ, its share of dA_prev and, with batch norm, the batch's statistics and the Z_tilde
    they gave (the activation's input, which the telemetry describes)."""

    dz: Array
    grads: dict[str, Array]
    da_prev: Array | None
    stats: BatchStatistics | None = None
    z_tilde: Array | None = None

    @property
    def dw(self) -> Array:
        return self.grads["W"]


@dataclass(frozen=True)
class ShardUpdate:
    """The shard's parameters after the optimizer's step (and the running averages'), its
    optimizer state, and its share of dA_prev."""

    params: dict[str, Array]
    state: dict[str, Array]
    da_prev: Array | None

    @property
    def w(self) -> Array:
        return self.params["W"]


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
    params: LayerParams,
    a_prev: Array,
    spec: LayerSpec,
    *,
    mask: Array | None,
    is_output: bool,
    training: bool = True,
) -> DenseForward:
    """The shard's forward pass; the output layer's stops at Z (the loss stage applies its
    activation, because softmax needs every output unit)."""
    if is_output:
        return DenseForward(linear(params, a_prev), None)
    return dense_forward(params, a_prev, spec, mask=mask, training=training)


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
    params: LayerParams,
    *,
    a_prev: Array,
    z: Array | None,
    grad: Array,
    grad_kind: Literal["dz", "da"],
    spec: LayerSpec,
    mask: Array | None,
    l2: float,
    need_da_prev: bool,
    forward: DenseForward | None = None,
) -> ShardGradients:
    """The shard's gradients from its rows of dZ (output layer) or dA (hidden layer, which
    needs the shard's Z), and its share of dA_prev; the gradient check differentiates this.
    Batch norm takes Z_tilde and the batch statistics from ``forward`` (this Z's training
    forward pass) when the caller kept it, else recomputes them from Z: the same bytes."""
    w = params["W"]
    stats = z_tilde = None
    if grad_kind == "dz":
        dz, extra = grad, {}
    elif z is None:
        raise ValueError("a hidden layer's backward step needs the shard's Z")
    elif spec.norm is None:
        dz, extra = hidden_delta(grad, z, get_activation(spec.activation), mask), {}
    else:
        if forward is not None and forward.stats is not None:
            z_tilde, stats = forward.z_tilde, forward.stats
        else:
            z_tilde, stats = spec.norm.forward(z, params)
        dz_tilde = hidden_delta(grad, z_tilde, get_activation(spec.activation), mask)
        dz, dgamma, dbeta = spec.norm.backward(dz_tilde, stats, params)
        extra = dict(zip(TRAINED, (dgamma, dbeta), strict=True))
    dw, db, da_prev = dense_backward(
        dz, a_prev, w, lambd=l2, m=a_prev.shape[1], need_da_prev=need_da_prev
    )
    grads = {"W": dw, **extra} if spec.norm else {"W": dw, BIAS: db}
    return ShardGradients(dz, grads, da_prev, stats, z_tilde)


def update_shard(
    params: LayerParams,
    state: Mapping[str, Array],
    grads: ShardGradients,
    *,
    spec: LayerSpec,
    optimizer: Optimizer,
    lr: float,
    step: int,
) -> ShardUpdate:
    """The optimizer's step on the shard's trained arrays, and batch norm's running averages
    moved by this step's batch; dA_prev rides along (it was computed with the pre-update W)."""
    trained = {name: params[name] for name in spec.trained}
    new, new_state = optimizer.update(trained, grads.grads, dict(state), lr=lr, step=step)
    if spec.norm is not None:
        if grads.stats is None:  # a dZ from the loss: the output layer, which has no batch norm
            raise ValueError("a batch-normalized layer's update needs its batch statistics")
        new.update(spec.norm.running(params, grads.stats))
    return ShardUpdate(new, new_state, grads.da_prev)


def weight_sq_sum(params: Sequence[LayerParams]) -> float:
    """Sum of squared weights (W only: b, gamma and beta are not regularized), accumulated
    layer by layer as the forward messages do (callers skip it when L2 is off: the term is
    zero and the sum costs a pass over every weight)."""
    total = 0.0
    for layer in params:
        total += float(np.sum(layer["W"] * layer["W"]))
    return total

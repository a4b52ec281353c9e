"""A whole network's forward and backward pass, composed of shard steps as the protocol runs them.

Each layer is cut by ``shard_ranges``. Every shard runs ``forward_shard`` on its rows of W and b;
the forward barrier stacks the rows and adds the shards' squared weights in shard order. The
loss stage sees the whole output. Backward, every shard takes its rows of dZ (output) or dA
(hidden) and runs ``shard_gradients``; the backward barrier sums the shards' dA_prev shares in
shard order. The gradient check differentiates this composition, so the arithmetic it checks
is the one both engines train with.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.nn.exceptions import NNError
from functions.nn.layers import LayerSpec
from functions.nn.types import Array, Params
from functions.training.shards import shard_ranges
from functions.training.step import (
    LossResult,
    forward_shard,
    loss_stage,
    shard_gradients,
    weight_sq_sum,
)

# Whole-layer dropout masks, one per layer (None = no dropout); shards take their rows.
Masks = Sequence[Array | None]


@dataclass(frozen=True)
class ForwardPass:
    inputs: list[Array]  # A_{l-1} for l = 1..L: inputs[0] is X, already masked where dropped
    zs: list[Array]  # Z_l of the whole layer, stacked from its shards
    weight_sq_sum: float  # sum of squared weights, accumulated as the forward messages do


def _checked_masks(params: Params, specs: Sequence[LayerSpec], masks: Masks | None) -> Masks:
    if len(params) != len(specs):
        raise NNError(f"{len(params)} parameter pairs for {len(specs)} layers")
    if masks is None:
        return [None] * len(specs)
    if len(masks) != len(specs):
        raise NNError(f"{len(masks)} dropout masks for {len(specs)} layers")
    if masks[-1] is not None:
        raise NNError("the output layer is never masked by dropout")
    return masks


def _rows(mask: Array | None, start: int, stop: int) -> Array | None:
    return None if mask is None else mask[start:stop]


def forward_pass(
    params: Params,
    x: Array,
    specs: Sequence[LayerSpec],
    *,
    shards: int,
    masks: Masks | None = None,
) -> ForwardPass:
    """Z of every layer and the input of every layer, shard by shard."""
    masks = _checked_masks(params, specs, masks)
    inputs, zs = [x], []
    sq_sum = 0.0
    depth = len(specs)
    for layer, ((w, b), spec, mask) in enumerate(zip(params, specs, masks, strict=True), 1):
        z_rows, a_rows = [], []
        for start, stop in shard_ranges(spec.units, shards):
            w_k, b_k = w[start:stop], b[start:stop]
            z_k, a_k = forward_shard(
                w_k,
                b_k,
                inputs[-1],
                spec.activation,
                mask=_rows(mask, start, stop),
                is_output=layer == depth,
            )
            sq_sum += weight_sq_sum([(w_k, b_k)])
            z_rows.append(z_k)
            a_rows.append(a_k)
        zs.append(np.concatenate(z_rows, axis=0))
        if layer < depth:
            inputs.append(np.concatenate(a_rows, axis=0))
    return ForwardPass(inputs, zs, sq_sum)


def backward_pass(
    params: Params,
    forward: ForwardPass,
    dz_out: Array,
    specs: Sequence[LayerSpec],
    *,
    shards: int,
    l2: float,
    masks: Masks | None = None,
) -> Params:
    """[(dW_l, db_l)] for l = 1..L from the loss stage's dZ_L, shard by shard."""
    masks = _checked_masks(params, specs, masks)
    grads: Params = []
    grad, grad_kind = dz_out, "dz"
    for i in reversed(range(len(specs))):
        dws, dbs, shares = [], [], []
        for start, stop in shard_ranges(specs[i].units, shards):
            g = shard_gradients(
                params[i][0][start:stop],
                a_prev=forward.inputs[i],
                z=forward.zs[i][start:stop],
                grad=grad[start:stop],
                grad_kind=grad_kind,
                activation=specs[i].activation,
                mask=_rows(masks[i], start, stop),
                l2=l2,
                need_da_prev=i > 0,
            )
            dws.append(g.dw)
            dbs.append(g.db)
            shares.append(g.da_prev)
        grads.append((np.concatenate(dws, axis=0), np.concatenate(dbs, axis=0)))
        if i > 0:
            # The backward barrier's sum: the first share copied, the others added in order.
            grad = shares[0].copy()
            for share in shares[1:]:
                grad += share
            grad_kind = "da"
    return grads[::-1]


def _loss(forward: ForwardPass, y: Array, output: LayerSpec, l2: float) -> LossResult:
    return loss_stage(
        forward.zs[-1], y, output.activation, l2=l2, weight_sq_sum=forward.weight_sq_sum
    )


def pass_cost(
    params: Params,
    x: Array,
    y: Array,
    specs: Sequence[LayerSpec],
    *,
    shards: int,
    l2: float,
    masks: Masks | None = None,
) -> float:
    """The loss stage's cost (with its L2 term) of one batch through the sharded network."""
    return _loss(forward_pass(params, x, specs, shards=shards, masks=masks), y, specs[-1], l2).cost


def pass_gradients(
    params: Params,
    x: Array,
    y: Array,
    specs: Sequence[LayerSpec],
    *,
    shards: int,
    l2: float,
    masks: Masks | None = None,
) -> Params:
    """Raw [(dW_l, db_l)] of one batch: forward, loss stage and backward, all sharded."""
    forward = forward_pass(params, x, specs, shards=shards, masks=masks)
    dz_out = _loss(forward, y, specs[-1], l2).dz
    return backward_pass(params, forward, dz_out, specs, shards=shards, l2=l2, masks=masks)


__all__ = [
    "ForwardPass",
    "Masks",
    "backward_pass",
    "forward_pass",
    "pass_cost",
    "pass_gradients",
]

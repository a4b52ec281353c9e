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
from functions.nn.types import Array, LayerParams, Params
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


@dataclass(frozen=True)
class ShardedLayers:
    """The layers of a run cut into ``shards`` per layer (at most one per unit), with its L2
    lambda and the dropout masks of one step, held fixed."""

    specs: Sequence[LayerSpec]
    shards: int
    l2: float = 0.0
    masks: Masks | None = None

    def __post_init__(self) -> None:
        if self.masks is None:
            return
        if len(self.masks) != len(self.specs):
            raise NNError(f"{len(self.masks)} dropout masks for {len(self.specs)} layers")
        if self.masks[-1] is not None:
            raise NNError("the output layer is never masked by dropout")

    def ranges(self, layer: int) -> list[tuple[int, int]]:
        """Row ranges of the shards of ``layer`` (0-based)."""
        return shard_ranges(self.specs[layer].units, self.shards)

    def _mask_rows(self, layer: int, start: int, stop: int) -> Array | None:
        mask = None if self.masks is None else self.masks[layer]
        return None if mask is None else mask[start:stop]

    def _check(self, params: Params) -> None:
        if len(params) != len(self.specs):
            raise NNError(f"{len(params)} layers of parameters for {len(self.specs)} layers")

    def forward(self, params: Params, x: Array) -> ForwardPass:
        """Z and the input of every layer, shard by shard."""
        self._check(params)
        inputs, zs = [x], []
        sq_sum = 0.0
        depth = len(self.specs)
        for i, (layer, spec) in enumerate(zip(params, self.specs, strict=True)):
            z_rows, a_rows = [], []
            for start, stop in self.ranges(i):
                rows = _rows(layer, start, stop)
                computed = forward_shard(
                    rows,
                    inputs[-1],
                    spec,
                    mask=self._mask_rows(i, start, stop),
                    is_output=i == depth - 1,
                )
                sq_sum += weight_sq_sum([rows])
                z_rows.append(computed.z)
                a_rows.append(computed.a)
            zs.append(np.concatenate(z_rows, axis=0))
            if i < depth - 1:
                inputs.append(np.concatenate(a_rows, axis=0))
        return ForwardPass(inputs, zs, sq_sum)

    def loss(self, forward: ForwardPass, y: Array) -> LossResult:
        """The loss stage on the whole output: the batch's cost and dZ_L."""
        return loss_stage(
            forward.zs[-1],
            y,
            self.specs[-1].activation,
            l2=self.l2,
            weight_sq_sum=forward.weight_sq_sum,
        )

    def backward(self, params: Params, forward: ForwardPass, dz_out: Array) -> Params:
        """Raw gradients of every layer's trained arrays (keyed as its parameters) from the
        loss stage's dZ_L, shard by shard."""
        self._check(params)
        grads: Params = []
        grad, grad_kind = dz_out, "dz"
        for i in reversed(range(len(self.specs))):
            parts = [
                shard_gradients(
                    _rows(params[i], start, stop),
                    a_prev=forward.inputs[i],
                    z=forward.zs[i][start:stop],
                    grad=grad[start:stop],
                    grad_kind=grad_kind,
                    spec=self.specs[i],
                    mask=self._mask_rows(i, start, stop),
                    l2=self.l2,
                    need_da_prev=i > 0,
                )
                for start, stop in self.ranges(i)
            ]
            names = self.specs[i].trained
            grads.append({n: np.concatenate([p.grads[n] for p in parts], axis=0) for n in names})
            if i > 0:
                # The backward barrier's sum: the first share copied, the others added in order.
                grad = parts[0].da_prev.copy()  # type: ignore[union-attr]
                for part in parts[1:]:
                    grad += part.da_prev
                grad_kind = "da"
        return grads[::-1]

    def cost(self, params: Params, x: Array, y: Array) -> float:
        """The loss stage's cost (with its L2 term) of one batch."""
        return self.loss(self.forward(params, x), y).cost

    def gradients(self, params: Params, x: Array, y: Array) -> Params:
        """Raw gradients of one batch: forward, loss stage and backward."""
        forward = self.forward(params, x)
        return self.backward(params, forward, self.loss(forward, y).dz)


def _rows(layer: LayerParams, start: int, stop: int) -> dict[str, Array]:
    """A shard's rows of every array of the layer (views: a nudge of the layer shows)."""
    return {name: array[start:stop] for name, array in layer.items()}


__all__ = ["ForwardPass", "Masks", "ShardedLayers"]

"""The telemetry of one shard in one step, from the arrays its step math already produced;
shared by the neuron and loss Lambdas and the reference engine, so both compute the very same
figures (docs/telemetry.md)."""

from collections.abc import Sequence
from dataclasses import dataclass

from functions.nn.activations import get_activation
from functions.nn.layers import LayerSpec
from functions.nn.types import Array, LayerParams
from functions.telemetry import (
    ClassCounts,
    ForwardStats,
    LayerTelemetry,
    backward_telemetry,
    class_counts,
    counts_classes,
    forward_telemetry,
)
from functions.telemetry.norm import norm_telemetry
from functions.training.step import ShardGradients, ShardUpdate


@dataclass(frozen=True)
class OutputFigures:
    """What the loss stage sees of the output layer: forward figures per shard (the loss
    stage holds the whole layer's A, which softmax needs) and the batch's class counts."""

    forward: list[ForwardStats]
    classes: ClassCounts | None


def output_figures(
    z: Array,
    y: Array,
    activation: str,
    ranges: Sequence[tuple[int, int]],
    a: Array | None = None,
) -> OutputFigures:
    """The output layer's forward figures per shard and its class counts; ``a`` is g(Z)
    when the loss stage computed it already."""
    if a is None:
        a = get_activation(activation).forward(z)
    forward = [forward_telemetry(z[lo:hi], activation, a=a[lo:hi]) for lo, hi in ranges]
    counted = counts_classes(activation, a.shape[0])
    return OutputFigures(forward, class_counts(y, a, activation) if counted else None)


def hidden_forward(z: Array, activation: str, grads: ShardGradients) -> ForwardStats:
    """A hidden shard's forward figures from what its activation was applied to: Z, or the
    Z_tilde its backward step recomputed with batch norm; on A = g(.), before any mask."""
    return forward_telemetry(z if grads.z_tilde is None else grads.z_tilde, activation)


def shard_telemetry(
    layer: int,
    spec: LayerSpec,
    rows: tuple[int, int],
    forward: ForwardStats,
    params: LayerParams,
    grads: ShardGradients,
    update: ShardUpdate,
) -> LayerTelemetry:
    """The shard's record: the parameters its step used, its gradients and the update
    ``update_shard`` made. A batch-normalized layer's bias figures are beta's, which does
    the bias's work there (Z_tilde = gamma Z_norm + beta), and its norm figures are gamma
    and the batch statistics the step normalized with."""
    bias = spec.bias_name
    backward = backward_telemetry(
        params["W"],
        params[bias],
        update.w,
        update.params[bias],
        grads.dw,
        grads.grads[bias],
        grads.dz,
    )
    norm = None
    if grads.stats is not None:
        norm = norm_telemetry(params["gamma"], grads.stats.mean, grads.stats.var)
    return LayerTelemetry(
        layer, spec.activation, spec.units, rows[0], rows[1], forward, backward, norm
    )

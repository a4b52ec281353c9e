"""Batch norm's lines in the course's notation (lnn/watch/notation.py writes the rest): what
a batch-normalized layer's tasks compute between Z[l] and the activation, and the running
averages its backward task moves (functions/nn/batchnorm.py)."""

# ruff: noqa: RUF001 (the course's notation writes its Greek letters)

from functions.protocol import RunPlan
from functions.telemetry.spans import Span


def norm_lines(plan: RunPlan, span: Span, layer: int) -> list[str]:
    """Batch norm between Z[l] and the activation: the batch's statistics in training, the
    running averages in an evaluation."""
    z, eps = f"Z[{layer}]", f"ε = {plan.config.bn_epsilon:g}"
    if span.phase == "eval":
        first = [
            f"Z_norm = ({z} - running_mean[{layer}]) / √(running_var[{layer}] + ε), {eps} "
            "(the running averages)"
        ]
    else:
        first = [
            f"μ = (1/m) Σ {z}, σ² = (1/m) Σ ({z} - μ)² per unit, over the batch's m samples",
            f"Z_norm = ({z} - μ) / √(σ² + ε), {eps}",
        ]
    return [*first, f"Z̃[{layer}] = γ[{layer}] Z_norm + β[{layer}]"]


def running_lines(plan: RunPlan, layer: int) -> list[str]:
    """Batch norm's running averages, moved by the step's batch."""
    momentum = f"momentum = {plan.config.bn_momentum:g}"
    return [
        f"running_mean[{layer}] := (1 - momentum) running_mean[{layer}] + momentum μ, {momentum}",
        f"running_var[{layer}] := (1 - momentum) running_var[{layer}] + momentum (m/(m-1)) σ²",
    ]

"""Two-sided finite-difference check of backward_network against network_cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.nn.losses import loss_for_output
from functions.nn.network import (
    LayerSpec,
    Masks,
    Params,
    backward_network,
    forward_network,
    network_cost,
)
from functions.nn.types import Array


@dataclass(frozen=True)
class GradCheckResult:
    relative_difference: float  # ||g - g_approx|| / (||g|| + ||g_approx||), all parameters
    worst_parameter: str  # e.g. "W2[3,1]": layer 1-based, indices 0-based
    n_parameters: int


def gradient_check(
    params: Params,
    x: Array,
    y: Array,
    specs: Sequence[LayerSpec],
    *,
    lambd: float = 0.0,
    masks: Masks | None = None,
    epsilon: float = 1e-7,
) -> GradCheckResult:
    """Compare analytic gradients with (J(p + eps) - J(p - eps)) / (2 eps) per parameter."""
    loss = loss_for_output(specs[-1].activation)
    caches = forward_network(params, x, specs, masks)
    grads = backward_network(params, x, y, specs, caches, loss=loss, lambd=lambd, masks=masks)
    # A private copy that is nudged in place, one entry at a time.
    work: Params = [(w.astype(np.float64), b.astype(np.float64)) for w, b in params]

    def cost() -> float:
        return network_cost(work, x, y, specs, loss=loss, lambd=lambd, masks=masks)

    names: list[str] = []
    analytic: list[float] = []
    approx: list[float] = []
    for layer, (pair, grad_pair) in enumerate(zip(work, grads, strict=True), start=1):
        for label, p, g in zip("Wb", pair, grad_pair, strict=True):
            for idx in np.ndindex(p.shape):
                original = p[idx]
                p[idx] = original + epsilon
                plus = cost()
                p[idx] = original - epsilon
                minus = cost()
                p[idx] = original
                names.append(f"{label}{layer}[{','.join(map(str, idx))}]")
                analytic.append(float(g[idx]))
                approx.append((plus - minus) / (2.0 * epsilon))

    g_vec, a_vec = np.array(analytic), np.array(approx)
    denom = np.linalg.norm(g_vec) + np.linalg.norm(a_vec)
    diff = float(np.linalg.norm(g_vec - a_vec) / denom) if denom > 0 else 0.0
    worst = names[int(np.argmax(np.abs(g_vec - a_vec)))]
    return GradCheckResult(relative_difference=diff, worst_parameter=worst, n_parameters=len(names))


__all__ = ["GradCheckResult", "gradient_check"]

"""Two-sided finite-difference check of the sharded backward pass against the loss stage's cost.

Both sides run the shard step functions the engines train with (``functions.training.passes``),
so a wrong derivative, a shard's rows put back in the wrong place or a dA_prev share left out
of the barrier's sum all show up here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.nn.data import one_hot
from functions.nn.initializers import initialize_layer
from functions.nn.layers import LayerSpec
from functions.nn.types import Array, Params
from functions.training.passes import Masks, ShardedLayers
from functions.training.step import shard_mask


@dataclass(frozen=True)
class GradCheckResult:
    relative_difference: float  # ||g - g_approx|| / (||g|| + ||g_approx||), all parameters
    worst_parameter: str  # e.g. "W2[3,1]" or "gamma1[0,0]": layer 1-based, indices 0-based
    n_parameters: int
    shards_per_layer: tuple[int, ...]  # shards each layer was cut into


@dataclass(frozen=True)
class CheckCase:
    """Small seeded data, parameters and step 0's dropout masks for one architecture."""

    params: Params
    x: Array
    y: Array
    masks: list[Array | None]


def seeded_case(
    specs: Sequence[LayerSpec], *, features: int, samples: int, keep_prob: float, seed: int
) -> CheckCase:
    rng = np.random.default_rng([seed, 99])
    x = rng.standard_normal((features, samples))
    out = specs[-1]
    if out.activation == "softmax":
        y = one_hot(rng.integers(0, out.units, samples), out.units)
    elif out.activation == "sigmoid":
        y = rng.integers(0, 2, (out.units, samples)).astype(np.float64)
    else:
        y = rng.standard_normal((out.units, samples))
    sizes = [features, *(s.units for s in specs)]
    # xavier keeps pre-activations moderate, so finite differences stay off ReLU kinks; the
    # random biases keep Z away from exactly 0 too.
    params: Params = []
    for i, spec in enumerate(specs):
        w, b = initialize_layer("xavier", sizes[i + 1], sizes[i], seed=seed, layer=i + 1)
        if spec.norm is None:
            params.append({"W": w, "b": b + 0.1 * rng.standard_normal(b.shape)})
            continue
        # gamma off 1 and beta off 0, so neither derivative is checked at a special point.
        layer = spec.norm.initial(spec.units)
        layer["gamma"] = layer["gamma"] + 0.1 * rng.standard_normal(b.shape)
        layer["beta"] = layer["beta"] + 0.1 * rng.standard_normal(b.shape)
        params.append({"W": w, **layer})
    # Drawn by the engines' own function for the whole layer, then held fixed while nudging.
    masks: list[Array | None] = [
        shard_mask(
            keep_prob=keep_prob,
            seed=seed,
            epoch=0,
            batch=0,
            layer=i + 1,
            units=s.units,
            m=samples,
            rows=(0, s.units),
        )
        for i, s in enumerate(specs[:-1])
    ]
    return CheckCase(params, x, y, [*masks, None])


def gradient_check(
    params: Params,
    x: Array,
    y: Array,
    specs: Sequence[LayerSpec],
    *,
    shards: int = 2,
    l2: float = 0.0,
    masks: Masks | None = None,
    epsilon: float = 1e-7,
) -> GradCheckResult:
    """Compare the raw gradient of every trained array of every shard (dW and db, or dW,
    dgamma and dbeta) with (J(p + eps) - J(p - eps)) / (2 eps)."""
    layers = ShardedLayers(specs, shards, l2, masks)
    grads = layers.gradients(params, x, y)
    # A private float64 copy that is nudged in place, one entry at a time; shards see the
    # nudge because they take row views of it.
    work: Params = [{k: v.astype(np.float64) for k, v in layer.items()} for layer in params]
    names: list[str] = []
    analytic: list[float] = []
    approx: list[float] = []
    for layer, (arrays, grad_arrays) in enumerate(zip(work, grads, strict=True), start=1):
        for label, g in grad_arrays.items():
            p = arrays[label]
            for idx in np.ndindex(p.shape):
                original = p[idx]
                p[idx] = original + epsilon
                plus = layers.cost(work, x, y)
                p[idx] = original - epsilon
                minus = layers.cost(work, x, y)
                p[idx] = original
                names.append(f"{label}{layer}[{','.join(map(str, idx))}]")
                analytic.append(float(g[idx]))
                approx.append((plus - minus) / (2.0 * epsilon))

    g_vec, a_vec = np.array(analytic), np.array(approx)
    denom = np.linalg.norm(g_vec) + np.linalg.norm(a_vec)
    diff = float(np.linalg.norm(g_vec - a_vec) / denom) if denom > 0 else 0.0
    worst = names[int(np.argmax(np.abs(g_vec - a_vec)))]
    return GradCheckResult(
        relative_difference=diff,
        worst_parameter=worst,
        n_parameters=len(names),
        shards_per_layer=tuple(len(layers.ranges(i)) for i in range(len(specs))),
    )


__all__ = ["CheckCase", "GradCheckResult", "gradient_check", "seeded_case"]

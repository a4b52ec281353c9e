"""Batch normalization of a layer's Z, forward and backward side by side (docs/numerics.md).

The course's placement: Z = W A_prev (no bias: beta plays its part), then per unit

    Z_norm = (Z - mu) / sqrt(sigma^2 + eps),   Z_tilde = gamma * Z_norm + beta,   A = g(Z_tilde)

with mu and sigma^2 the mean and (biased) variance of the unit's Z over the batch. Every unit is
normalized over its own row only, so a shard owning whole units holds all it needs.

Evaluation and prediction normalize with running averages instead, updated once per training
step as torch's BatchNorm1d does: new = (1 - momentum) * old + momentum * batch, with the
batch's unbiased variance (m / (m - 1) sigma^2). A batch of one sample has no variance to
offer: Z_norm is 0 (eps keeps the division finite) and the running variance is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from functions.nn.exceptions import NNError
from functions.nn.types import Array, LayerParams

GAMMA, BETA = "gamma", "beta"
TRAINED = (GAMMA, BETA)  # learned by the optimizer, never L2-regularized
RUNNING = ("running_mean", "running_var")  # averaged over the steps, used to evaluate


@dataclass(frozen=True)
class BatchStatistics:
    """What a training forward pass computed of its batch, which the backward pass reuses."""

    mean: Array  # (units, 1)
    var: Array  # (units, 1), biased: the batch's own spread
    inv_std: Array  # (units, 1): 1 / sqrt(var + eps)
    z_norm: Array  # (units, m)

    @property
    def m(self) -> int:
        return self.z_norm.shape[1]


@dataclass(frozen=True)
class BatchNorm:
    """One layer's normalization settings; a run's come from its TrainConfig (bn_momentum,
    bn_epsilon), whose defaults are torch's BatchNorm1d's."""

    momentum: float
    epsilon: float

    def __post_init__(self) -> None:
        if not 0.0 < self.momentum <= 1.0:
            raise NNError(f"batch norm momentum must be in (0, 1], got {self.momentum}")
        if not self.epsilon > 0.0:
            raise NNError(f"batch norm epsilon must be positive, got {self.epsilon}")

    def initial(self, units: int) -> dict[str, Array]:
        """gamma 1 and beta 0 (the identity), running mean 0 and variance 1."""
        gamma, beta = np.ones((units, 1)), np.zeros((units, 1))
        running_mean, running_var = np.zeros((units, 1)), np.ones((units, 1))
        return dict(
            zip((*TRAINED, *RUNNING), (gamma, beta, running_mean, running_var), strict=True)
        )

    def statistics(self, z: Array) -> BatchStatistics:
        """The batch's mean and variance of every unit's Z, and Z normalized by them."""
        mean = np.mean(z, axis=1, keepdims=True)
        centered = z - mean
        var = np.mean(centered * centered, axis=1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        return BatchStatistics(mean, var, inv_std, centered * inv_std)

    def forward(self, z: Array, params: LayerParams) -> tuple[Array, BatchStatistics]:
        """Training: Z_tilde from the batch's own statistics."""
        stats = self.statistics(z)
        return params[GAMMA] * stats.z_norm + params[BETA], stats

    def inference(self, z: Array, params: LayerParams) -> Array:
        """Evaluation and prediction: Z_tilde from the running averages."""
        z_norm = (z - params["running_mean"]) / np.sqrt(params["running_var"] + self.epsilon)
        return params[GAMMA] * z_norm + params[BETA]

    def backward(
        self, dz_tilde: Array, stats: BatchStatistics, params: LayerParams
    ) -> tuple[Array, Array, Array]:
        """(dZ, dgamma, dbeta) from dZ_tilde. dZ keeps the network's convention (the loss's
        per-sample gradient, divided by m only in dW), so dgamma and dbeta are means."""
        m = stats.m
        dgamma = np.sum(dz_tilde * stats.z_norm, axis=1, keepdims=True) / m
        dbeta = np.sum(dz_tilde, axis=1, keepdims=True) / m
        # d/dZ of the normalization: the mean and variance depend on every sample of the row.
        dz_norm_mean = np.mean(dz_tilde, axis=1, keepdims=True)
        projection = np.mean(dz_tilde * stats.z_norm, axis=1, keepdims=True)
        scale = params["gamma"] * stats.inv_std
        dz = scale * (dz_tilde - dz_norm_mean - stats.z_norm * projection)
        return dz, dgamma, dbeta

    def running(self, params: LayerParams, stats: BatchStatistics) -> dict[str, Array]:
        """The running averages after one training step on the batch of ``stats``."""
        keep = 1.0 - self.momentum
        mean = keep * params["running_mean"] + self.momentum * stats.mean
        if stats.m < 2:
            return {"running_mean": mean, "running_var": params["running_var"]}
        unbiased = stats.var * (stats.m / (stats.m - 1))
        var = keep * params["running_var"] + self.momentum * unbiased
        return {"running_mean": mean, "running_var": var}


__all__ = ["BETA", "GAMMA", "RUNNING", "TRAINED", "BatchNorm", "BatchStatistics"]

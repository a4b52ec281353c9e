"""Batch normalization against torch: 10 training steps of the same network, from the same
initial parameters over the same batches (and dropout masks), then eval-mode predictions,
within 1e-9, for every optimizer: torch's SGD, RMSprop (alpha = beta2) and Adam are the
course's gd, RMSprop and Adam, and its SGD momentum is the course's with lr (1 - beta).

torch's BatchNorm1d with the run's momentum and eps follows Linear(bias=False), as the
course places it (Z = W A_prev, no b). Every parameter (W, gamma, beta, running_mean,
running_var, the output's b) is compared after the steps, and the eval-mode outputs (the
running averages) against the reference engine's model through predict_proba.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch

from functions.nn.predict import predict_proba
from functions.nn.types import Params
from functions.training.config import initial_params, layer_specs, learning_rate
from functions.training.schedule import iter_steps
from functions.training.split import DataSplit
from functions.training.step import shard_mask
from lnn.engines.reference import train_reference
from messages.train_request import TrainConfig

TOLERANCE = 1e-9
STEPS = 10
TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}
BN_RELU = {"units": 5, "activation": "relu", "batch_norm": True}
BN_TANH = {"units": 4, "activation": "tanh", "batch_norm": True}
SIGMOID = {"units": 1, "activation": "sigmoid"}
SOFTMAX = {"units": 3, "activation": "softmax"}


@dataclass
class TorchLayer:
    linear: torch.nn.Linear
    norm: torch.nn.BatchNorm1d | None
    activation: str

    def named(self) -> dict[str, np.ndarray]:
        """The layer's arrays under lnn's names, as columns like model.npz's."""
        arrays = {"W": self.linear.weight}
        if self.linear.bias is not None:
            arrays["b"] = self.linear.bias
        if self.norm is not None:
            arrays |= {
                "gamma": self.norm.weight,
                "beta": self.norm.bias,
                "running_mean": self.norm.running_mean,
                "running_var": self.norm.running_var,
            }
        return {
            name: a.detach().numpy().copy() if name == "W" else a.detach().numpy()[:, None].copy()
            for name, a in arrays.items()
        }


def torch_network(cfg: TrainConfig, init: Params) -> list[TorchLayer]:
    """torch modules holding ``init``: Linear without bias before each BatchNorm1d."""
    layers = []
    for params, spec in zip(init, layer_specs(cfg), strict=True):
        fan_out, fan_in = params["W"].shape
        linear = torch.nn.Linear(fan_in, fan_out, bias="b" in params, dtype=torch.float64)
        norm = None
        if spec.norm is not None:
            norm = torch.nn.BatchNorm1d(
                fan_out, eps=spec.norm.epsilon, momentum=spec.norm.momentum, dtype=torch.float64
            )
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(params["W"]))
            if linear.bias is not None:
                linear.bias.copy_(torch.from_numpy(params["b"][:, 0]))
        layers.append(TorchLayer(linear, norm, spec.activation))
    return layers


def torch_logits(layers: list[TorchLayer], x: torch.Tensor, masks: list | None) -> torch.Tensor:
    """Samples in rows; per hidden layer Z, BN, activation, then the dropout mask."""
    a = x
    for i, layer in enumerate(layers[:-1]):
        z = layer.linear(a)
        a = TORCH_ACTIVATIONS[layer.activation](z if layer.norm is None else layer.norm(z))
        if masks is not None and masks[i] is not None:
            a = a * torch.from_numpy(masks[i].T)
    return layers[-1].linear(a)


def torch_loss(
    cfg: TrainConfig, layers: list[TorchLayer], z: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """The course's cost: the mean loss over the batch, plus lambda / (2 m) sum ||W||^2."""
    if cfg.layers[-1].activation == "sigmoid":
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    else:
        loss = torch.nn.functional.cross_entropy(z, y)  # y: one-hot rows
    if cfg.l2:
        squares = sum(torch.sum(layer.linear.weight**2) for layer in layers)
        loss = loss + cfg.l2 * squares / (2 * z.shape[0])
    return loss


def torch_optimizer(cfg: TrainConfig, params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """torch's optimizer doing the course's updates; its learning rate is lr_scale(cfg) times
    the course's."""
    if cfg.optimizer == "gd":
        return torch.optim.SGD(params, lr=cfg.lr)
    if cfg.optimizer == "momentum":
        return torch.optim.SGD(params, lr=cfg.lr * lr_scale(cfg), momentum=cfg.beta1)
    if cfg.optimizer == "rmsprop":  # the course's RMSprop is torch's (alpha = beta2)
        return torch.optim.RMSprop(params, lr=cfg.lr, alpha=cfg.beta2, eps=cfg.epsilon)
    return torch.optim.Adam(params, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), eps=cfg.epsilon)


def lr_scale(cfg: TrainConfig) -> float:
    """torch's momentum buffer (b = beta b + g, starting at the first gradient) is the sum of
    beta^(t-k) g_k; the course's v (v = beta v + (1 - beta) g, from 0) is (1 - beta) times it,
    so the course's step lr v is torch's with lr (1 - beta)."""
    return 1.0 - cfg.beta1 if cfg.optimizer == "momentum" else 1.0


def train_torch(cfg: TrainConfig, x: np.ndarray, y: np.ndarray) -> list[TorchLayer]:
    """cfg's run in torch: the batches of iter_steps, the dropout masks of shard_mask and the
    learning rate of the epoch's schedule."""
    layers = torch_network(cfg, initial_params(cfg, x.shape[0]))
    params = [
        p for layer in layers for m in (layer.linear, layer.norm) if m for p in m.parameters()
    ]
    optimizer = torch_optimizer(cfg, params)
    x_rows, y_rows = torch.from_numpy(x.T.copy()), torch.from_numpy(y.T.copy())
    steps = 0
    for key, columns in iter_steps(x.shape[1], cfg.batch_size, seed=cfg.seed, epochs=cfg.epochs):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(cfg, key.epoch) * lr_scale(cfg)
        masks = [
            shard_mask(
                keep_prob=cfg.dropout,
                seed=cfg.seed,
                epoch=key.epoch,
                batch=key.batch,
                layer=i + 1,
                units=spec.units,
                m=len(columns),
                rows=(0, spec.units),
            )
            for i, spec in enumerate(cfg.layers[:-1])
        ]
        optimizer.zero_grad()
        z = torch_logits(layers, x_rows[columns], masks)
        torch_loss(cfg, layers, z, y_rows[columns]).backward()
        optimizer.step()
        steps = key.step
    assert steps == STEPS
    return layers


def torch_predictions(layers: list[TorchLayer], x: np.ndarray, output: str) -> np.ndarray:
    for layer in layers:
        if layer.norm is not None:
            layer.norm.eval()  # the running averages, as lnn predict uses them
    with torch.no_grad():
        z = torch_logits(layers, torch.from_numpy(x.T.copy()), None)
        a = torch.sigmoid(z) if output == "sigmoid" else torch.softmax(z, dim=1)
    return a.numpy().T


def data(m: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, m)) * np.array([[1.0], [3.0], [0.5]]) + 2.0
    if classes == 1:
        return x, (x[0:1] + x[1:2] > 4.0).astype(np.float64)
    labels = rng.integers(0, classes, m)
    return x, np.eye(classes)[:, labels]


FULL_BATCH = {"epochs": 10, "batch_size": 0}
MINI_BATCHES = {"epochs": 2, "batch_size": 8}  # 34 samples: 8, 8, 8, 8 and a last batch of 2

CASES = {
    "gd-full-batch": {"optimizer": "gd", **FULL_BATCH},
    "gd-mini-batches": {"optimizer": "gd", **MINI_BATCHES},
    "adam-full-batch": {"optimizer": "adam", **FULL_BATCH},
    "adam-mini-batches": {"optimizer": "adam", **MINI_BATCHES},
    "adam-three-bn-layers-softmax-bn-settings": {
        "optimizer": "adam",
        "layers": [BN_RELU, BN_TANH, {**BN_RELU, "units": 3}, SOFTMAX],
        "bn_momentum": 0.35,
        "bn_epsilon": 1e-3,
        "beta1": 0.8,
        **MINI_BATCHES,
    },
    "rmsprop-lr-schedule": {"optimizer": "rmsprop", "lr_decay": 0.5, **MINI_BATCHES},
    "gd-dropout-l2-plain-layer-between": {
        "optimizer": "gd",
        "layers": [BN_RELU, {"units": 4, "activation": "tanh"}, BN_TANH, SIGMOID],
        "dropout": 0.7,
        "l2": 0.3,
        **MINI_BATCHES,
    },
    "momentum-full-batch": {"optimizer": "momentum", **FULL_BATCH},
    "momentum-mini-batches-lr-schedule": {
        "optimizer": "momentum",
        "beta1": 0.8,
        "lr_decay": 0.3,
        "lr_schedule": "exponential",
        **MINI_BATCHES,
    },
}


@pytest.mark.parametrize("overrides", list(CASES.values()), ids=list(CASES))
def test_ten_steps_equal_torch(overrides: dict[str, Any]) -> None:
    options = {
        "dataset": "toy",
        "layers": [BN_RELU, BN_TANH, SIGMOID],
        "lr": 0.05,
        "eval_every": 0,
        "seed": 3,
        **overrides,
    }
    cfg = TrainConfig(**options)
    output = cfg.layers[-1].activation
    x, y = data(34, 1 if output == "sigmoid" else cfg.layers[-1].units)

    ours = train_reference(cfg, DataSplit(x, y)).params
    torch_layers = train_torch(cfg, x, y)
    theirs = [layer.named() for layer in torch_layers]

    for number, (mine, torch_layer) in enumerate(zip(ours, theirs, strict=True), start=1):
        assert sorted(mine) == sorted(torch_layer), number
        for name, array in mine.items():
            np.testing.assert_allclose(array, torch_layer[name], rtol=0, atol=TOLERANCE)
    # The steps moved what is compared: a pass at the initial values would mean nothing.
    initial = initial_params(cfg, x.shape[0])
    assert not np.allclose(ours[0]["running_var"], initial[0]["running_var"])
    assert not np.allclose(ours[0]["gamma"], initial[0]["gamma"])
    predicted = predict_proba(ours, x, layer_specs(cfg))
    torch_predicted = torch_predictions(torch_layers, x, output)
    np.testing.assert_allclose(predicted, torch_predicted, rtol=0, atol=TOLERANCE)

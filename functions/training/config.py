"""Turn a request's hyper-parameters into the math objects both engines use."""

from typing import Protocol

from functions.nn.batchnorm import BatchNorm
from functions.nn.initializers import initialize_layer
from functions.nn.layers import LayerSpec
from functions.nn.optimizers import Optimizer, make_optimizer
from functions.nn.schedules import make_schedule
from functions.nn.types import Params


class Hyperparameters(Protocol):
    """The fields of ``messages.TrainRequest`` the math needs (kept structural to avoid a cycle)."""

    layers: list
    init: str
    seed: int
    lr: float
    lr_decay: float
    lr_schedule: str
    decay_interval: int
    optimizer: str
    beta1: float
    beta2: float
    epsilon: float
    bn_momentum: float
    bn_epsilon: float


def layer_specs(hp: Hyperparameters) -> list[LayerSpec]:
    norm = BatchNorm(momentum=hp.bn_momentum, epsilon=hp.bn_epsilon)
    return [
        LayerSpec(layer.units, layer.activation, norm if layer.batch_norm else None)
        for layer in hp.layers
    ]


def optimizer_for(hp: Hyperparameters) -> Optimizer:
    return make_optimizer(hp.optimizer, beta1=hp.beta1, beta2=hp.beta2, epsilon=hp.epsilon)


def learning_rate(hp: Hyperparameters, epoch: int) -> float:
    """The learning rate in force during ``epoch`` (0-based)."""
    name = hp.lr_schedule if hp.lr_decay > 0 else "constant"
    return make_schedule(name, lr=hp.lr, rate=hp.lr_decay, interval=hp.decay_interval)(epoch)


def initial_params(hp: Hyperparameters, n_features: int) -> Params:
    """Whole-layer draws keyed by (seed, layer); shards take row slices of them. A
    batch-normalized layer draws the same W and starts as the identity (BatchNorm.initial)."""
    sizes = [n_features, *(layer.units for layer in hp.layers)]
    params: Params = []
    for i, spec in enumerate(layer_specs(hp)):
        w, b = initialize_layer(hp.init, sizes[i + 1], sizes[i], seed=hp.seed, layer=i + 1)
        params.append({"W": w, **spec.norm.initial(spec.units)} if spec.norm else {"W": w, "b": b})
    return params

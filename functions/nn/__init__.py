"""Pure numpy neural-network math: no AWS, no I/O."""

from functions.nn.activations import ACTIVATION_NAMES, Activation, get_activation
from functions.nn.batchnorm import BatchNorm, BatchStatistics
from functions.nn.dense import DenseForward, dense_backward, dense_forward, hidden_delta, linear
from functions.nn.exceptions import (
    NNError,
    UnknownActivationError,
    UnknownInitializerError,
    UnknownLossError,
    UnknownNameError,
    UnknownOptimizerError,
    UnknownScheduleError,
)
from functions.nn.initializers import INIT_SCHEMES, initialize_layer
from functions.nn.layers import LayerSpec
from functions.nn.losses import LOSS_NAMES, Loss, get_loss, loss_for_output, output_delta
from functions.nn.optimizers import OPTIMIZER_NAMES, Optimizer, make_optimizer
from functions.nn.predict import predict_labels, predict_proba
from functions.nn.regularization import dropout_mask, l2_grad
from functions.nn.rng import dropout_rng, init_rng, permutation_rng
from functions.nn.schedules import SCHEDULE_NAMES, Schedule, make_schedule
from functions.nn.types import Array, LayerParams, Params

__all__ = [
    "ACTIVATION_NAMES",
    "INIT_SCHEMES",
    "LOSS_NAMES",
    "OPTIMIZER_NAMES",
    "SCHEDULE_NAMES",
    "Activation",
    "Array",
    "BatchNorm",
    "BatchStatistics",
    "DenseForward",
    "LayerParams",
    "LayerSpec",
    "Loss",
    "NNError",
    "Optimizer",
    "Params",
    "Schedule",
    "UnknownActivationError",
    "UnknownInitializerError",
    "UnknownLossError",
    "UnknownNameError",
    "UnknownOptimizerError",
    "UnknownScheduleError",
    "dense_backward",
    "dense_forward",
    "dropout_mask",
    "dropout_rng",
    "get_activation",
    "get_loss",
    "hidden_delta",
    "init_rng",
    "initialize_layer",
    "l2_grad",
    "linear",
    "loss_for_output",
    "make_optimizer",
    "make_schedule",
    "output_delta",
    "permutation_rng",
    "predict_labels",
    "predict_proba",
]

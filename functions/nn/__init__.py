"""Pure numpy neural-network math: no AWS, no I/O."""

from functions.nn.activations import ACTIVATION_NAMES, Activation, get_activation
from functions.nn.dense import dense_backward, dense_forward, hidden_delta
from functions.nn.exceptions import (
    NNError,
    UnknownActivationError,
    UnknownInitializerError,
    UnknownLossError,
    UnknownNameError,
    UnknownOptimizerError,
    UnknownScheduleError,
)
from functions.nn.gradcheck import GradCheckResult, gradient_check
from functions.nn.initializers import INIT_SCHEMES, initialize_layer
from functions.nn.losses import LOSS_NAMES, Loss, get_loss, loss_for_output, output_delta
from functions.nn.network import (
    LayerSpec,
    Params,
    backward_network,
    forward_network,
    network_cost,
    predict_labels,
    predict_proba,
)
from functions.nn.optimizers import OPTIMIZER_NAMES, Optimizer, make_optimizer
from functions.nn.regularization import dropout_mask, l2_cost, l2_grad
from functions.nn.rng import dropout_rng, init_rng, permutation_rng
from functions.nn.schedules import SCHEDULE_NAMES, Schedule, make_schedule
from functions.nn.types import Array

__all__ = [
    "ACTIVATION_NAMES",
    "INIT_SCHEMES",
    "LOSS_NAMES",
    "OPTIMIZER_NAMES",
    "SCHEDULE_NAMES",
    "Activation",
    "Array",
    "GradCheckResult",
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
    "backward_network",
    "dense_backward",
    "dense_forward",
    "dropout_mask",
    "dropout_rng",
    "forward_network",
    "get_activation",
    "get_loss",
    "gradient_check",
    "hidden_delta",
    "init_rng",
    "initialize_layer",
    "l2_cost",
    "l2_grad",
    "loss_for_output",
    "make_optimizer",
    "make_schedule",
    "network_cost",
    "output_delta",
    "permutation_rng",
    "predict_labels",
    "predict_proba",
]

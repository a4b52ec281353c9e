"""The names a TrainConfig may use: activations, optimizers, initializations, LR schedules.

Each vocabulary is defined once, by the registry in ``functions/nn`` that implements it, and
this module turns it into the Literal types of the wire contract; the CLI takes its choices
from TrainConfig's fields in turn. The dependency runs messages -> functions.nn and not the
reverse because a name is valid exactly when the math implements it: adding an activation to
its registry makes it valid everywhere, and the pure math stays free of pydantic and of the
wire format. Both packages ride in the Lambda bundle, so every handler sees the same names.
"""

from typing import Literal

from functions.nn.activations import ACTIVATION_NAMES
from functions.nn.initializers import INIT_SCHEMES
from functions.nn.optimizers import OPTIMIZER_NAMES
from functions.nn.schedules import DECAY_SCHEDULES

# Literal of a tuple is the Literal of its items: Literal[("a", "b")] == Literal["a", "b"].
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[OPTIMIZER_NAMES]  # type: ignore[valid-type]
InitName = Literal[INIT_SCHEMES]  # type: ignore[valid-type]
# "constant" is not a choice on the wire: lr_decay = 0 means a constant learning rate.
LrScheduleName = Literal[DECAY_SCHEDULES]  # type: ignore[valid-type]

__all__ = [
    "ACTIVATION_NAMES",
    "DECAY_SCHEDULES",
    "INIT_SCHEMES",
    "OPTIMIZER_NAMES",
    "ActivationName",
    "InitName",
    "LrScheduleName",
    "OptimizerName",
]

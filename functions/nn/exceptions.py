"""Narrow errors for bad input to the numpy math (all are ValueError)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar


class NNError(ValueError):
    """Bad input to the neural-network math."""


class UnknownNameError(NNError):
    """A name that is not in a registry; the message lists the valid ones."""

    kind: ClassVar[str] = "name"

    def __init__(self, name: object, valid: Iterable[str]) -> None:
        self.name = name
        self.valid = tuple(valid)
        super().__init__(f"unknown {self.kind} {name!r}; valid: {', '.join(self.valid)}")

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduce would call __init__ with the message only.
        return (type(self), (self.name, self.valid))


class UnknownActivationError(UnknownNameError):
    kind = "activation"


class UnknownLossError(UnknownNameError):
    kind = "loss"


class UnknownInitializerError(UnknownNameError):
    kind = "initializer"


class UnknownOptimizerError(UnknownNameError):
    kind = "optimizer"


class UnknownScheduleError(UnknownNameError):
    kind = "schedule"


__all__ = [
    "NNError",
    "UnknownActivationError",
    "UnknownInitializerError",
    "UnknownLossError",
    "UnknownNameError",
    "UnknownOptimizerError",
    "UnknownScheduleError",
]

"""Learning-rate schedules: frozen dataclasses called with a 0-based epoch."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

from functions.nn.exceptions import NNError, UnknownScheduleError


class Schedule(ABC):
    lr: float

    def __call__(self, epoch: int) -> float:
        """Learning rate for ``epoch`` (0-based)."""
        if epoch < 0:
            raise NNError(f"epoch must be >= 0, got {epoch}")
        return self._at(epoch)

    @abstractmethod
    def _at(self, epoch: int) -> float: ...

    def _check(self, rate: float, interval: int) -> None:
        if not self.lr > 0:
            raise NNError(f"learning rate must be positive, got {self.lr}")
        if not rate >= 0:
            raise NNError(f"decay rate must be >= 0, got {rate}")
        if interval < 1:
            raise NNError(f"decay interval must be >= 1 epoch, got {interval}")


@dataclass(frozen=True)
class Constant(Schedule):
    lr: float

    def __post_init__(self) -> None:
        self._check(0.0, 1)

    def _at(self, epoch: int) -> float:
        return self.lr


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """lr / (1 + rate * floor(epoch / interval))."""

    lr: float
    rate: float
    interval: int = 1

    def __post_init__(self) -> None:
        self._check(self.rate, self.interval)

    def _at(self, epoch: int) -> float:
        return self.lr / (1.0 + self.rate * (epoch // self.interval))


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """lr * exp(-rate * floor(epoch / interval))."""

    lr: float
    rate: float
    interval: int = 1

    def __post_init__(self) -> None:
        self._check(self.rate, self.interval)

    def _at(self, epoch: int) -> float:
        return self.lr * math.exp(-self.rate * (epoch // self.interval))


@dataclass(frozen=True)
class StepDecay(Schedule):
    """lr * rate ** floor(epoch / interval); rate in (0, 1] is the drop factor."""

    lr: float
    rate: float
    interval: int

    def __post_init__(self) -> None:
        self._check(self.rate, self.interval)
        if not 0.0 < self.rate <= 1.0:
            raise NNError(f"step decay factor must be in (0, 1], got {self.rate}")

    def _at(self, epoch: int) -> float:
        return self.lr * self.rate ** (epoch // self.interval)


# The schedules that decay; "constant" is what every one of them is at rate 0.
DECAY_SCHEDULES: tuple[str, ...] = ("inverse_time", "exponential", "step")
SCHEDULE_NAMES: tuple[str, ...] = ("constant", *DECAY_SCHEDULES)


def make_schedule(name: str, *, lr: float, rate: float, interval: int = 1) -> Schedule:
    """The schedule called ``name``; rate 0 means constant for inverse_time/exponential."""
    if name == "constant" or (name in ("inverse_time", "exponential") and rate == 0):
        return Constant(lr)
    if name == "inverse_time":
        return InverseTimeDecay(lr, rate, interval)
    if name == "exponential":
        return ExponentialDecay(lr, rate, interval)
    if name == "step":
        return StepDecay(lr, rate, interval)
    raise UnknownScheduleError(name, SCHEDULE_NAMES)


__all__ = [
    "DECAY_SCHEDULES",
    "SCHEDULE_NAMES",
    "Constant",
    "ExponentialDecay",
    "InverseTimeDecay",
    "Schedule",
    "StepDecay",
    "make_schedule",
]

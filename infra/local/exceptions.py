"""Errors raised by the embedded local stack."""

from __future__ import annotations


class LocalStackError(Exception):
    """Base class for errors of the embedded local stack."""


class RunnerConfigError(LocalStackError, ValueError):
    """A LambdaRunner option is out of range."""


class HandlerImportError(LocalStackError, ImportError):
    """A function's Handler ("pkg.module.func") cannot be imported in this process."""


class PortInUseError(LocalStackError, OSError):
    """The address `lnn up` should listen on is taken."""


class StackNotStartedError(LocalStackError, RuntimeError):
    """An EmbeddedStack was used outside its `with` block."""


class ChaosSpecError(LocalStackError, ValueError):
    """A --chaos spec that names an unknown fault or an impossible rate."""

"""Errors raised while describing, deploying or tearing down the stack."""

from __future__ import annotations

__all__ = ["DeployError", "StackConfigError", "StackError", "StackNotDeployedError"]


class StackError(Exception):
    """Base class for every stack error; messages are one line."""


class StackConfigError(StackError, ValueError):
    """Bad input: an invalid stack name, region, account id or outputs document."""


class StackNotDeployedError(StackError):
    """The stack (or part of it) is absent from the account and region."""


class DeployError(StackError):
    """An AWS call needed to deploy or tear down the stack failed."""

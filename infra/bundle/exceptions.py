"""Errors raised while building the Lambda bundle."""

from __future__ import annotations

__all__ = ["BundleConfigError", "BundleError", "BundleTooLargeError"]


class BundleError(RuntimeError):
    """The bundle could not be built; the message is one line."""


class BundleConfigError(BundleError, ValueError):
    """An unsupported architecture or Python version was requested."""


class BundleTooLargeError(BundleError):
    """The unzipped bundle would exceed Lambda's deployment package limit."""

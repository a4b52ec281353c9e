"""The errors of lnn.sweep. Each is a ValueError whose message is one line a user can act
on: the CLI prints it and exits 2."""

__all__ = ["SearchSpecError", "SweepError", "SweepRecordError"]


class SweepError(ValueError):
    """Base of the sweep package's errors."""


class SearchSpecError(SweepError):
    """A search space (``--search``) or a trial drawn from it that cannot be trained; the
    message names the bad part."""


class SweepRecordError(SweepError):
    """A stored sweep record cannot be read, or does not match the sweep asked for."""

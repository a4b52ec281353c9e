"""The sweep package's errors: each one line, for the CLI to print (exit 2)."""

__all__ = ["SearchSpecError", "SweepError", "SweepRecordError"]


class SweepError(ValueError):
    """A sweep cannot be made or resumed as asked."""


class SearchSpecError(SweepError):
    """The --search text (or a value it gives a trial) is not valid."""


class SweepRecordError(SweepError):
    """A stored sweep record cannot be read, or does not match the sweep asked for."""

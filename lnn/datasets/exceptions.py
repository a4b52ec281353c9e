"""Dataset errors: bad input, reported to the user in one line."""

from __future__ import annotations

__all__ = ["DatasetError", "DatasetNotFoundError", "first_line"]


class DatasetError(ValueError):
    """A dataset could not be loaded or is malformed; the message is one line."""


class DatasetNotFoundError(DatasetError):
    """The named dataset or its file does not exist."""


def first_line(exc: BaseException) -> str:
    """The first line of an underlying error, to keep our own messages on one line."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

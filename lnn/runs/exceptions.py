"""Run errors: a RUN argument or a run directory that cannot be used, reported in one line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "OutputDirectoryError",
    "RunDirectoryNotFoundError",
    "RunError",
    "RunFileInvalidError",
    "RunFileMissingError",
]


class RunError(ValueError):
    """Bad input about a run (fix the argument, nothing is lost); the message is one line."""


class RunDirectoryNotFoundError(RunError):
    """RUN is neither an existing directory nor something a run id could be."""

    def __init__(self, run: str) -> None:
        super().__init__(f"{run}: no such directory, and not a run id")
        self.run = run


class RunFileMissingError(RunError):
    """The run directory lacks the file(s) the command reads."""

    def __init__(self, directory: Path, names: Sequence[str], command: str) -> None:
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        them = "it" if len(names) == 1 else "them"
        super().__init__(
            f"{directory} holds no {listed}: nothing to {command} (lnn train --out writes {them})"
        )
        self.directory, self.names, self.command = directory, tuple(names), command


class RunFileInvalidError(RunError):
    """A run file that lnn did not write (or that was cut short)."""

    def __init__(self, path: Path, kind: str, reason: BaseException) -> None:
        super().__init__(f"{path} is not a {kind} file: {reason}")
        self.path, self.kind = path, kind


class OutputDirectoryError(RunError):
    """A directory a command writes into (--out, --tensorboard) cannot be created."""

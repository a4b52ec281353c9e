"""Run errors: a RUN argument or a run directory that cannot be used, reported in one line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lnn.runs.types import SPANS_FILE, TELEMETRY_FILE

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


# Why a run directory may lack a file although `lnn train --out` wrote the run.
_WHEN_WRITTEN = {
    SPANS_FILE: "the embedded and endpoint engines; the reference engine sends no messages",
    TELEMETRY_FILE: "unless the run had --telemetry-every off",
}


class RunFileMissingError(RunError):
    """The run directory lacks the file(s) the command reads."""

    def __init__(self, directory: Path, names: Sequence[str], command: str) -> None:
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        them = "it" if len(names) == 1 else "them"
        when = _WHEN_WRITTEN.get(names[0]) if len(names) == 1 else None
        hint = f"lnn train --out writes {them}" + (f": {when}" if when else "")
        super().__init__(f"{directory} holds no {listed}: nothing to {command} ({hint})")
        self.directory, self.names, self.command = directory, tuple(names), command


class RunFileInvalidError(RunError):
    """A run file that lnn did not write (or that was cut short)."""

    def __init__(self, path: Path, kind: str, reason: BaseException) -> None:
        super().__init__(f"{path} is not a {kind} file: {reason}")
        self.path, self.kind = path, kind


class OutputDirectoryError(RunError):
    """A directory a command writes into (--out, --tensorboard) cannot be created."""

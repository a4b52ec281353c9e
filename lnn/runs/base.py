"""Reading a run from the user's side: a RUN argument resolved once, to a directory on disk
(what `lnn train --out` wrote) or a run on a deployed stack, and read through one interface.

Every command that takes RUN goes through `open_run`, so an argument means the same thing
to each of them and each failure is one line: no such directory (and not a run id), no such
run on the stack, or the directory lacks the file the command reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from functions.telemetry import TelemetryRecord, loads_records
from functions.telemetry.spans import Span, loads_spans
from lnn.model_file import Model, load_model
from lnn.runs.exceptions import (
    OutputDirectoryError,
    RunDirectoryNotFoundError,
    RunFileInvalidError,
    RunFileMissingError,
)
from lnn.runs.types import HISTORY_FILE, MODEL_FILE, SPANS_FILE, TELEMETRY_FILE
from messages.base import RUN_ID_PATTERN
from messages.status import HistoryEntry, RunRecord

if TYPE_CHECKING:  # boto3 is slow to import; a directory never needs it
    from lnn.client import StackClient

__all__ = ["LocalRun", "Run", "StackRun", "make_output_dir", "open_run", "open_stack_run"]

_T = TypeVar("_T")


def _history_entries(text: str) -> list[HistoryEntry]:
    return [HistoryEntry.model_validate(entry) for entry in json.loads(text)]


# What a file that lnn did not write raises while parsed (pydantic's ValidationError included).
_PARSE_ERRORS = (ValueError, KeyError, TypeError)


def make_output_dir(path: Path, option: str) -> Path:
    """Create a directory a command will write into, before any work, so that a bad --out or
    --tensorboard costs no training time."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirectoryError(
            f"{option}: cannot create directory {path}: {exc.strerror or exc}"
        ) from exc
    return path


@dataclass(frozen=True)
class LocalRun:
    """A run on disk: a directory `lnn train --out` wrote, or (for commands that read one
    file) that file named directly. ``command`` names the reader in error messages."""

    path: Path
    command: str

    @property
    def directory(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent

    @property
    def name(self) -> str:
        return self.directory.name

    def has(self, name: str) -> bool:
        return self.path.is_file() or (self.path / name).is_file()

    def file(self, name: str) -> Path:
        """The path of file ``name``; a file the user named stands for whichever one the
        command reads (its content is checked when parsed)."""
        if self.path.is_file():
            return self.path
        path = self.path / name
        if not path.is_file():
            raise RunFileMissingError(self.path, [name], self.command)
        return path

    def require_any(self, names: Sequence[str]) -> None:
        """For a command that reads whichever of several files there are (lnn export)."""
        if not any(self.has(name) for name in names):
            raise RunFileMissingError(self.path, names, self.command)

    def telemetry(self) -> list[TelemetryRecord]:
        return self._parsed(TELEMETRY_FILE, "telemetry", loads_records)

    def spans(self) -> list[Span]:
        return self._parsed(SPANS_FILE, "spans", loads_spans)

    def history(self) -> list[HistoryEntry]:
        return self._parsed(HISTORY_FILE, "history", _history_entries)

    def _parsed(self, name: str, kind: str, parse: Callable[[str], _T]) -> _T:
        """File ``name`` of the run read by ``parse``; RunFileInvalidError if lnn did not
        write it (or it was cut short)."""
        path = self.file(name)
        try:
            return parse(path.read_text(encoding="utf-8"))
        except _PARSE_ERRORS as exc:
            raise RunFileInvalidError(path, kind, exc) from exc

    def model(self) -> Model:
        return load_model(self.file(MODEL_FILE))


@dataclass(frozen=True)
class StackRun:
    """A run on a deployed stack whose record exists. Its reads are the client's calls, so
    the caller reports the stack's errors (lnn.cli.connection.stack_errors)."""

    client: StackClient
    record: RunRecord
    command: str

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def name(self) -> str:
        return self.run_id

    def telemetry(self) -> list[TelemetryRecord]:
        return self.client.telemetry(self.run_id)

    def spans(self) -> list[Span]:
        return self.client.spans(self.run_id)

    def history(self) -> list[HistoryEntry]:
        return self.client.history(self.run_id)


Run = LocalRun | StackRun


def open_stack_run(client: StackClient, run_id: str, *, command: str) -> StackRun:
    """The run ``run_id`` on the client's stack; lnn.client.RunNotFoundError (one line:
    "no run RUN in stack STACK") when the stack has no record of it."""
    return StackRun(client, client.require_record(run_id), command)


def open_run(
    run: str,
    *,
    command: str,
    connect: Callable[[], StackClient],
    accepts_file: bool = False,
) -> Run:
    """Resolve a RUN argument once: an existing directory (or, with ``accepts_file``, a file)
    is read from disk; anything else must be a run id, looked up on the stack that
    ``connect`` reaches (called only then: a directory needs no AWS configuration)."""
    path = Path(run)
    if path.is_dir() or (accepts_file and path.is_file()):
        return LocalRun(path, command)
    if not re.match(RUN_ID_PATTERN, run):
        raise RunDirectoryNotFoundError(run)
    return open_stack_run(connect(), run, command=command)

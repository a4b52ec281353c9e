"""Where a sweep's record is kept: a directory (every engine: the sweep's own), and a
stack's bucket (a sweep on a stack, so that `lnn sweep status|follow` find it there).
Template methods over two byte primitives, as the rest of the project's storage."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path

from pydantic import ValidationError

from functions.ports import BlobStore, ObjectNotFoundError
from lnn.runs import HISTORY_FILE, LocalRun, RunError
from lnn.sweep.exceptions import SweepRecordError
from lnn.sweep.types import RECORD_FILE, SweepRecord, trial_dir
from messages.status import HistoryEntry

__all__ = [
    "BlobSweepStore",
    "DirectorySweepStore",
    "SweepStore",
    "sweep_key",
    "trial_histories",
    "trial_history",
]


def sweep_key(sweep_id: str) -> str:
    """The record's key in a stack's bucket (beside the runs' keys, runs/...)."""
    return f"sweeps/{sweep_id}/{RECORD_FILE}"


class SweepStore(ABC):
    @abstractmethod
    def _read(self, sweep_id: str) -> bytes | None: ...

    @abstractmethod
    def _write(self, sweep_id: str, body: bytes) -> None: ...

    @abstractmethod
    def where(self, sweep_id: str) -> str:
        """Where the record is, in words for a message."""

    def load(self, sweep_id: str) -> SweepRecord | None:
        """The sweep's record; None when there is none; SweepRecordError when it is not
        one, or is another sweep's."""
        record = self._parse(self._read(sweep_id), sweep_id)
        if record is not None and record.sweep_id != sweep_id:
            raise SweepRecordError(
                f"{self.where(sweep_id)} holds sweep {record.sweep_id}, not {sweep_id}: "
                f"choose another directory, or --sweep-id {record.sweep_id} to resume that one"
            )
        return record

    def _parse(self, body: bytes | None, sweep_id: str) -> SweepRecord | None:
        if body is None:
            return None
        try:
            return SweepRecord.model_validate_json(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise SweepRecordError(
                f"{self.where(sweep_id)} is not a sweep record: {where}: {first['msg']}"
            ) from exc

    def save(self, record: SweepRecord) -> None:
        self._write(record.sweep_id, record.model_dump_json(indent=1).encode() + b"\n")


class DirectorySweepStore(SweepStore):
    """sweep.json in the sweep's directory, replaced whole on each save (a reader never
    sees half a record)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def where(self, sweep_id: str) -> str:
        return str(self.directory / RECORD_FILE)

    def held(self) -> SweepRecord | None:
        """The record the directory holds, whichever sweep's it is."""
        return self._parse(self._read(""), "")

    def _read(self, sweep_id: str) -> bytes | None:
        path = self.directory / RECORD_FILE
        return path.read_bytes() if path.is_file() else None

    def _write(self, sweep_id: str, body: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{RECORD_FILE}.partial"
        partial.write_bytes(body)
        os.replace(partial, self.directory / RECORD_FILE)


class BlobSweepStore(SweepStore):
    """The record as one object in a stack's bucket (S3, or the in-memory stack's)."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def where(self, sweep_id: str) -> str:
        return f"s3://{self.blobs.bucket}/{sweep_key(sweep_id)}"

    def _read(self, sweep_id: str) -> bytes | None:
        try:
            return self.blobs.get_bytes(sweep_key(sweep_id))
        except ObjectNotFoundError:
            return None

    def _write(self, sweep_id: str, body: bytes) -> None:
        self.blobs.put_bytes(sweep_key(sweep_id), body)


def trial_history(sweep_dir: Path, index: int) -> list[HistoryEntry]:
    """The history a trial's run directory holds: none while it has not written one, or
    when the file cannot be read (a page or an export shows what it can)."""
    run = LocalRun(trial_dir(sweep_dir, index), "sweep")
    try:
        return run.history() if run.has(HISTORY_FILE) else []
    except RunError:
        return []


def trial_histories(sweep_dir: Path, record: SweepRecord) -> dict[int, list[HistoryEntry]]:
    """Each trial's history as its run directory holds it, for the trials that have one."""
    found = {t.index: trial_history(sweep_dir, t.index) for t in record.trials}
    return {index: history for index, history in found.items() if history}

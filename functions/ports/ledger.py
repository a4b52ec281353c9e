"""RunLedger: each run's record and history, changed only by the protocol's transitions.

The verbs (start, claim a step, claim an evaluation, succeed, fail, cancel) are written
once here over a few storage primitives. Every transition is one conditional write: it
applies once however often its message comes, and never to a run that is no longer
RUNNING, which is how a cancel or a failure stops the run's in-flight messages. A claim
records the id of the message whose delivery made it: only a redelivery of that message
is told to heal it (functions/protocol/delivery.py).
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from functions.ports.types import Change, Expect
from messages.status import HistoryEntry, RunRecord, RunStatus

_LAST_ERROR_CHARS = 2000  # RunRecord.last_error's limit


def now() -> str:
    # The form RunRecord.stored() writes, so a stored item reads back as it was written.
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Transition:
    """A claimed transition: the record after the claim, and whether this caller made it
    (False: the caller redelivers the message that claimed it, whose process may have
    died before it published, so it publishes again)."""

    record: RunRecord
    claimed: bool


class RunLedger(ABC):
    # --- storage primitives: items are RunRecord.stored() documents --------------------

    @abstractmethod
    def _insert(self, item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """Store ``item`` unless its run exists: (stored, the item now in place)."""

    @abstractmethod
    def _update(self, run_id: str, change: Change) -> tuple[bool, dict[str, Any]]:
        """Apply ``change`` to an existing run if its ``expect`` holds: (applied, the item
        after it, or as found; {} when the run does not exist)."""

    @abstractmethod
    def _get(self, run_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def _put_history(self, run_id: str, entry: dict[str, Any]) -> None: ...

    @abstractmethod
    def _history(self, run_id: str, after: int) -> list[dict[str, Any]]:
        """Entries of the epochs after ``after``, in epoch order."""

    @abstractmethod
    def _all(self) -> list[dict[str, Any]]: ...

    # --- the verbs -------------------------------------------------------------------

    def start(
        self,
        run_id: str,
        *,
        dataset: str,
        epochs: int,
        message_id: str | None = None,
        cancel_digest: str | None = None,
    ) -> tuple[bool, RunRecord]:
        """Open a RUNNING run, started by message ``message_id`` (with the digest of its
        cancel token, if it set one); a duplicate request gets the existing record back."""
        at = now()
        record = RunRecord(
            run_id=run_id,
            status=RunStatus.RUNNING,
            dataset=dataset,
            epochs=epochs,
            created_at=at,
            updated_at=at,
            progress_at=at,
            start_message=message_id,
            cancel_digest=cancel_digest,
        )
        created, item = self._insert(record.stored())
        return created, RunRecord.model_validate(item)

    def claim_step(
        self,
        run_id: str,
        step: int,
        cost_sum: float,
        *,
        epochs_done: int | None,
        message_id: str,
    ) -> Transition | None:
        """Claim step ``step``, recording ``cost_sum``: the epoch's batch costs so far, each
        times its batch's size, summed in batch order (this step's included). The step
        closed epoch ``epochs_done`` when given.

        None when there is nothing to do: claimed by another message, or the run stopped.
        """
        sets: dict[str, Any] = {
            "step": step,
            "progress_at": now(),
            "step_message": message_id,
            "epoch": epochs_done,
            "cost_sum": cost_sum,
        }
        return self._transition(
            run_id,
            sets,
            Expect(equal={"step": step - 1}),
            claimed=("step", step),
            message=("step_message", message_id),
        )

    def claim_eval(self, run_id: str, epoch: int, *, message_id: str) -> Transition | None:
        """Claim the evaluation after epoch ``epoch`` (0-based)."""
        return self._transition(
            run_id,
            {"eval_epoch": epoch, "progress_at": now(), "eval_message": message_id},
            Expect(below={"eval_epoch": epoch}),
            claimed=("eval_epoch", epoch),
            message=("eval_message", message_id),
        )

    def succeed(
        self, run_id: str, *, model_key: str, final_cost: float, accuracies: Mapping[str, Any]
    ) -> bool:
        """Close a RUNNING run as SUCCEEDED; False if it had already stopped. The error of a
        delivery that failed and was retried is dropped: the run recovered from it, and a
        finished run showing it would look like a problem."""
        sets = {
            "status": RunStatus.SUCCEEDED.value,
            "model_key": model_key,
            "final_cost": final_cost,
            **accuracies,
        }
        return self._change(run_id, sets, Expect(), removes=("last_error",))[0]

    def fail(self, run_id: str, reason: str) -> bool:
        """Mark a RUNNING run FAILED; False if it was not running (or does not exist)."""
        return self._stop(run_id, RunStatus.FAILED, reason)

    def cancel(self, run_id: str, reason: str, *, at_step: int | None = None) -> bool:
        """Mark a RUNNING run CANCELLED; False if it was not running (or does not exist),
        or, with ``at_step``, if its last claimed step is another: a caller that decided
        from what it read at that step stops the run there, or reads again."""
        return self._stop(run_id, RunStatus.CANCELLED, reason, at_step=at_step)

    def note_error(self, run_id: str, error: str) -> None:
        """Remember why a delivery of a RUNNING run's message failed: a dead letter's
        reason can then say so, although the process that failed it last may have died."""
        self._change(run_id, {"last_error": error[:_LAST_ERROR_CHARS]}, Expect())

    def reject(self, run_id: str, reason: str, *, message_id: str | None = None) -> bool:
        """Record a request that never started as FAILED: creates the FAILED record (of
        message ``message_id``) when there is none, or fails the RUNNING run that message
        itself started. False if a run of that id exists otherwise: a request never changes
        another request's run."""
        at = now()
        record = RunRecord(
            run_id=run_id,
            status=RunStatus.FAILED,
            reason=reason,
            created_at=at,
            updated_at=at,
            start_message=message_id,
        )
        created, item = self._insert(record.stored())
        if created:
            return True
        if message_id is None or item.get("start_message") != message_id:
            return False
        return self.fail(run_id, reason)

    def get(self, run_id: str) -> RunRecord | None:
        item = self._get(run_id)
        return None if item is None else RunRecord.model_validate(item)

    def put_history(self, run_id: str, entry: HistoryEntry) -> None:
        self._put_history(run_id, entry.model_dump(mode="json", exclude_none=True))

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        return [HistoryEntry.model_validate(item) for item in self._history(run_id, after)]

    def runs(self) -> list[RunRecord]:
        """Every run, newest first."""
        records = [RunRecord.model_validate(item) for item in self._all()]
        return sorted(records, key=lambda record: record.created_at, reverse=True)

    # --- shared by the verbs ----------------------------------------------------------

    def _change(
        self,
        run_id: str,
        sets: Mapping[str, Any],
        expect: Expect | None = None,
        *,
        removes: tuple[str, ...] = (),
    ) -> tuple[bool, dict[str, Any]]:
        # A record leaves out what it does not hold (DynamoDB stores no nulls), so None is
        # "not set" and is not written; a field is cleared by removing it.
        present = {name: value for name, value in sets.items() if value is not None}
        change = Change({**present, "updated_at": now()}, expect, removes)
        return self._update(run_id, change)

    def _stop(
        self, run_id: str, status: RunStatus, reason: str, *, at_step: int | None = None
    ) -> bool:
        sets = {"status": status.value, "reason": reason}
        expect = Expect() if at_step is None else Expect(equal={"step": at_step})
        return self._change(run_id, sets, expect)[0]

    def _transition(
        self,
        run_id: str,
        sets: Mapping[str, Any],
        expect: Expect,
        *,
        claimed: tuple[str, int],
        message: tuple[str, str],
    ) -> Transition | None:
        applied, item = self._change(run_id, sets, expect)
        if applied:
            return Transition(RunRecord.model_validate(item), claimed=True)
        # This message's earlier delivery claimed it and may have died before publishing.
        healing = (
            item.get("status") == RunStatus.RUNNING.value
            and item.get(claimed[0]) == claimed[1]
            and item.get(message[0]) == message[1]
        )
        return Transition(RunRecord.model_validate(item), claimed=False) if healing else None

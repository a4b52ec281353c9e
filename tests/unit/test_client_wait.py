"""StackClient.wait reads each epoch's history once and hands it to both its followers: the
progress bar (``on_epoch``) and the watch page (``on_poll``), so a watched run on a deployed
stack does not read it twice."""

from datetime import UTC, datetime

from lnn.client import StackClient
from messages.status import HistoryEntry, RunRecord, RunStatus

AT = datetime(2026, 12, 7, tzinfo=UTC)


class _ScriptedClient(StackClient):
    """The record moves through ``epochs`` as it is polled; history reads are counted."""

    def __init__(self, epochs: list[int], final: int) -> None:  # no stack behind it
        self._epochs, self._final, self.history_reads = epochs, final, 0

    def record(self, run_id: str) -> RunRecord:
        epoch = self._epochs.pop(0) if self._epochs else self._final
        status = RunStatus.SUCCEEDED if epoch == self._final else RunStatus.RUNNING
        return RunRecord(
            run_id=run_id,
            status=status,
            epochs=self._final,
            epoch=epoch,
            created_at=AT,
            updated_at=AT,
            progress_at=datetime.now(UTC),
        )

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        self.history_reads += 1
        done = self._final if not self._epochs else self._epochs[0] - 1
        return [HistoryEntry(epoch=e, cost=1.0 / e) for e in range(after + 1, done + 1) if e > 0]


def test_each_epoch_is_read_once_and_given_to_both_followers() -> None:
    client = _ScriptedClient([0, 1, 1, 1, 2, 3, 3], final=4)
    reported: list[int] = []
    handed: list[int] = []
    record = client.wait(
        "run-1",
        timeout=30,
        poll=0,
        on_epoch=lambda entry: reported.append(entry.epoch),
        on_poll=lambda found, read: handed.extend(entry.epoch for entry in read),
    )
    assert record.status is RunStatus.SUCCEEDED
    assert reported == handed == [1, 2, 3, 4]
    assert client.history_reads == 5  # once per epoch the record moved to (0 through 4)


def test_a_stop_request_ends_the_wait_with_the_running_record() -> None:
    """Ctrl-C on `lnn train --engine endpoint`: the wait returns at its next poll, the run
    still RUNNING, for the caller to cancel it and collect what it trained."""
    client = _ScriptedClient([0, 1, 2, 3, 4, 5], final=9)
    seen: list[int] = []
    record = client.wait(
        "run-1",
        timeout=30,
        poll=0,
        on_epoch=lambda entry: seen.append(entry.epoch),
        stop=lambda: len(seen) >= 2,
    )
    assert record.status is RunStatus.RUNNING and record.epoch == 2 and seen == [1, 2]

"""A run's terminal transitions, each followed by its lifecycle event when it applied.

One implementation for every caller: the trainer (a CancelRun message, a bad request), the
failure handling of every function, and `lnn cancel` on the user's side.
"""

from functions.ports import Bus, RunLedger
from messages.events import RequestRefused, RunCancelled, RunFailed


def fail_run(ledger: RunLedger, bus: Bus, run_id: str, reason: str) -> bool:
    """Fail a RUNNING run; False if it was not running or does not exist."""
    if ledger.fail(run_id, reason):
        bus.emit(RunFailed(run_id=run_id, reason=reason))
        return True
    return False


def reject_run(
    ledger: RunLedger, bus: Bus, run_id: str, reason: str, *, message_id: str | None = None
) -> bool:
    """Fail a request that may never have started: creates the FAILED record if needed,
    and fails a running run only if request ``message_id`` started it."""
    if ledger.reject(run_id, reason, message_id=message_id):
        bus.emit(RunFailed(run_id=run_id, reason=reason))
        return True
    return False


def refuse(bus: Bus, run_id: str, reason: str, message_id: str) -> None:
    """Tell whoever follows ``run_id`` that a message naming it was refused, the run
    untouched (the sender of a train-topic message gets no other answer)."""
    bus.emit(RequestRefused(run_id=run_id, reason=reason, message_id=message_id))


def cancel_run(ledger: RunLedger, bus: Bus, run_id: str, reason: str) -> bool:
    """Cancel a RUNNING run; its in-flight messages then find it stopped and do nothing."""
    if ledger.cancel(run_id, reason):
        bus.emit(RunCancelled(run_id=run_id, reason=reason))
        return True
    return False

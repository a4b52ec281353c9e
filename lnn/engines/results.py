"""What a run on a stack leaves to the engines' caller, collected as a TrainingResult: a run
that ended (its model, history, telemetry and spans), one a waiter gave up on (STALLED), and
one the user stopped with Ctrl-C (cancelled on the stack, what it trained kept)."""

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from functions.nn.types import Params
from functions.ports import ObjectNotFoundError
from functions.protocol import find_plan, read_layers
from lnn.client import STALLED, RunStalledError, StackClient
from lnn.engines.base import TrainingResult, interrupted_reason, interrupted_result
from lnn.first_layer import stack_first_layer
from lnn.model_file import load_model
from lnn.telemetry import whole_steps
from messages.status import STALL_AFTER_S, RunRecord


def stalled(
    client: StackClient, run_id: str, error: RunStalledError, extra: dict[str, object]
) -> TrainingResult:
    """What a waiter reports when it stops waiting on a run that no longer moves (or never
    started): the epochs its record says were done, with their history, and no model."""
    record = error.record
    # Up to the record's epoch: the epochs the run is known to have completed.
    done = [] if record is None else [e for e in client.history(run_id) if e.epoch <= record.epoch]
    return TrainingResult(
        run_id=run_id,
        status=STALLED,
        params=[],
        history=done,
        final_cost=None,
        train_accuracy=None,
        dev_accuracy=None,
        test_accuracy=None,
        reason=str(error),
        extra=extra,
    )


def fetch_result(
    client: StackClient, run_id: str, record: RunRecord, extra: dict[str, object] | None = None
) -> TrainingResult:
    """A finished run as the engines return it: its model (if any), history, telemetry,
    spans and its first layer at the picture steps fetched."""
    params: Params = []
    if record.model_key:
        with tempfile.TemporaryDirectory() as tmp:
            params = load_model(client.download_model(run_id, Path(tmp) / "model.npz")).params
    return TrainingResult(
        run_id=run_id,
        status=record.status.value,
        params=params,
        history=client.history(run_id),
        final_cost=record.final_cost,
        train_accuracy=record.train_accuracy,
        dev_accuracy=record.dev_accuracy,
        test_accuracy=record.test_accuracy,
        reason=record.reason,
        extra=extra or {},
        telemetry=client.telemetry(run_id),
        spans=client.spans(run_id),
        first_layer=stack_first_layer(client, run_id, record.step),
    )


# Keeps the stack moving until ``done()`` holds or ``within`` seconds pass. A stack served
# elsewhere moves on its own (the caller only waits); the embedded one moves only while its
# runner delivers.
Settle = Callable[[Callable[[], bool], float], object]
_SETTLE_POLL_S = 0.25


def poll_until(done: Callable[[], bool], within: float) -> None:
    """Settle for a stack that moves on its own: look every quarter second."""
    deadline = time.monotonic() + within
    while not done() and time.monotonic() < deadline:
        time.sleep(_SETTLE_POLL_S)


def epoch_recorded(client: StackClient, run_id: str, record: RunRecord) -> bool:
    """Whether the history holds the last epoch the record says is done. An evaluated
    epoch's entry is written by its evaluation's close, after the step that ended the epoch
    was claimed: until then the epoch is done but not recorded."""
    if record.epoch == 0:
        return True
    return any(e.epoch == record.epoch for e in client.history(run_id, after=record.epoch - 1))


def interrupted(
    client: StackClient,
    run_id: str,
    extra: dict[str, object] | None = None,
    *,
    settle: Settle = poll_until,
    stall_after: float = STALL_AFTER_S,
) -> TrainingResult:
    """Cancel the run as ``lnn cancel`` does (its in-flight messages then do nothing) and
    collect what it holds: the epochs it completed, the telemetry and spans of its steps,
    and the parameters after its last step (every shard's version of that step, which
    pruning keeps). A run that ended before the cancel is returned as it ended.

    A step that ended an evaluated epoch is followed by that evaluation, which records the
    epoch: the cancel waits for it (``settle``, at most ``stall_after`` s) and applies only
    at the step it was decided at, so the result is the reference engine's after as many
    steps, whatever the cancel interrupted."""
    plan = find_plan(client.store, run_id)
    per_epoch = 1 if plan is None else plan.batches_per_epoch
    deadline = time.monotonic() + stall_after

    def settled() -> bool:
        record = client.require_record(run_id)
        return record.status.is_terminal or epoch_recorded(client, run_id, record)

    while True:
        record = client.require_record(run_id)
        if record.status.is_terminal:
            return fetch_result(client, run_id, record, extra)
        left = deadline - time.monotonic()
        if left > 0 and not epoch_recorded(client, run_id, record):
            settle(settled, left)
            continue
        # Past the deadline the run stops wherever it is: waiting has an end.
        at_step = record.step if left > 0 else None
        if client.cancel(run_id, interrupted_reason(record.step, per_epoch), at_step=at_step):
            break
    record = client.require_record(run_id)  # as cancelled: its step, epoch and reason
    params: Params = []
    if plan is not None:
        try:
            params = read_layers(client.store, client.barriers, plan, record.step)
        except ObjectNotFoundError:  # the run never wrote its first parameters
            params = []
    telemetry = [r for r in client.telemetry(run_id) if r.step <= record.step]
    return interrupted_result(
        run_id,
        params,
        [e for e in client.history(run_id) if e.epoch <= record.epoch],
        record.step,
        record.reason or interrupted_reason(record.step, per_epoch),
        telemetry=whole_steps(telemetry, 0 if plan is None else plan.depth),
        spans=client.spans(run_id),
        extra=extra,
        first_layer=stack_first_layer(client, run_id, record.step),
    )

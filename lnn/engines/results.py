"""What a run on a stack leaves to the engines' caller, collected as a TrainingResult: a run
that ended (its model, history, telemetry and spans), one a waiter gave up on (STALLED), and
one the user stopped with Ctrl-C (cancelled on the stack, what it trained kept)."""

import tempfile
from pathlib import Path

from functions.ports import ObjectNotFoundError
from functions.protocol import find_plan, read_layers
from lnn.client import STALLED, RunStalledError, StackClient
from lnn.engines.base import TrainingResult, interrupted_reason, interrupted_result
from lnn.first_layer import stack_first_layer
from lnn.model_file import load_model
from lnn.telemetry import whole_steps
from messages.status import RunRecord


def stalled(
    client: StackClient, run_id: str, stalled: RunStalledError, extra: dict
) -> TrainingResult:
    """What a waiter reports when it stops waiting on a run that no longer moves (or never
    started): the epochs its record says were done, with their history, and no model."""
    record = stalled.record
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
        reason=str(stalled),
        extra=extra,
    )


def fetch_result(
    client: StackClient, run_id: str, record: RunRecord, extra: dict | None = None
) -> TrainingResult:
    """A finished run as the engines return it: its model (if any), history, telemetry,
    spans and its first layer at the picture steps fetched."""
    params: list = []
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


def interrupted(client: StackClient, run_id: str, extra: dict | None = None) -> TrainingResult:
    """Cancel the run as ``lnn cancel`` does (its in-flight messages then do nothing) and
    collect what it holds: the epochs it completed, the telemetry and spans of its steps,
    and the parameters after its last step (every shard's version of that step, which
    pruning keeps). A run that ended before the cancel is returned as it ended."""
    plan = find_plan(client.store, run_id)
    per_epoch = 1 if plan is None else plan.batches_per_epoch
    before = client.require_record(run_id)
    if not client.cancel(run_id, interrupted_reason(before.step, per_epoch)):
        return fetch_result(client, run_id, client.require_record(run_id), extra)
    record = client.require_record(run_id)  # a step claimed before the cancel counts
    params: list = []
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
        interrupted_reason(record.step, per_epoch),
        telemetry=whole_steps(telemetry, 0 if plan is None else plan.depth),
        spans=client.spans(run_id),
        extra=extra,
        first_layer=stack_first_layer(client, run_id, record.step),
    )

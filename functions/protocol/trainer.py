"""The run's transitions: its start, each step, each evaluation, its finish, and how it stops.

- The trainer Lambda starts a run (functions/protocol/start.py), or cancels one for the
  holder of its cancel token. Its queue is the train topic's, the public door: what comes in
  there may start a run under a fresh id and nothing else (docs/security.md).
- Steps move on without the trainer: the arrival that completes layer 1's backward barrier
  claims the next step on the run record in the same invocation, with the id of the message
  that claimed the barrier, and starts the next batch, the epoch's evaluation or the next
  epoch. Healing is the same: a redelivery of the claiming message publishes again.
- An evaluation is closed where its metrics were computed: that invocation claims it on the
  run record, records the epoch, and starts the next epoch or finishes the run (the model
  assembled from every shard's last version). The metrics used to travel to the trainer on
  the train topic, where a forged message could end any run; now no message carries them.
- Old parameter versions leave S3 as the run goes on: once step t is claimed, versions far
  behind it serve nobody but a late duplicate, which finds its barrier passed and stops
  (the cat network would otherwise keep about 5 GB of weights). Layer 1's versions at the
  run's picture steps stay (RunPlan.picture_steps): the first layer's pictures at those
  steps are read from them on demand (docs/telemetry.md says what they cost).
- The terminal transitions (fail, reject, cancel) have one implementation for every
  caller, each followed by its lifecycle event when it applied.
"""

import hmac
import logging

from functions.ports import Bus, DeleteError, RunLedger
from functions.protocol.delivery import Services, current
from functions.protocol.keys import model_key, params_key
from functions.protocol.plan import RunPlan
from functions.protocol.versions import inline, kept, read_layers
from functions.training import eval_epochs
from messages.events import (
    EpochCompleted,
    RequestRefused,
    RunCancelled,
    RunFailed,
    RunSucceeded,
)
from messages.exceptions import MessageError
from messages.model_archive import encode_model
from messages.status import HistoryEntry
from messages.tasks import BackwardTask, CancelRun, EvalMetrics, ForwardTask, LossTask
from messages.train_request import cancel_digest

_log = logging.getLogger(__name__)


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


def cancel_run(
    ledger: RunLedger, bus: Bus, run_id: str, reason: str, *, at_step: int | None = None
) -> bool:
    """Cancel a RUNNING run (only at step ``at_step`` when given: RunLedger.cancel); its
    in-flight messages then find it stopped and do nothing."""
    if ledger.cancel(run_id, reason, at_step=at_step):
        bus.emit(RunCancelled(run_id=run_id, reason=reason))
        return True
    return False


KEEP_VERSIONS = 16  # the newest versions always kept: slack for late duplicates
PRUNE_EVERY = 32  # steps between deletions: one DeleteObjects call serves many versions


def stale_versions(step: int) -> range:
    """Versions to delete when `step` is claimed: every PRUNE_EVERY steps, the block of
    versions that has fallen KEEP_VERSIONS behind (the blocks tile, none is missed)."""
    if step % PRUNE_EVERY or step <= KEEP_VERSIONS:
        return range(0)
    return range(max(0, step - KEEP_VERSIONS - PRUNE_EVERY), step - KEEP_VERSIONS)


def pruned_versions(plan: RunPlan, layer: int, step: int) -> list[int]:
    """The versions of ``layer`` deleted when ``step`` is claimed: the stale ones, but
    layer 1's picture steps. None of an inline layer: its versions after 0 live in barrier
    items, which expire (and its version 0 is not needed once the run is past it)."""
    if inline(plan, layer):
        return []
    return [version for version in stale_versions(step) if not kept(plan, layer, version)]


def _prune_params(svc: Services, plan: RunPlan, step: int) -> None:
    keys = [
        params_key(plan.run_id, layer, shard, version)
        for layer in range(1, plan.depth + 1)
        for version in pruned_versions(plan, layer, step)
        for shard in range(len(plan.ranges(layer)))
    ]
    if keys:
        try:
            svc.store.delete(keys)
        except DeleteError as exc:  # storage only: the run is right without the pruning
            _log.warning("could not prune parameter versions: %s", exc)


def launch(svc: Services, plan: RunPlan, phase: str, epoch: int, batch: int, step: int) -> None:
    """Send layer 1's forward tasks for one step (or one evaluation pass)."""
    tasks = [
        ForwardTask(
            run_id=plan.run_id, epoch=epoch, batch=batch, step=step, phase=phase, layer=1, shard=k
        )
        for k in range(len(plan.ranges(1)))
    ]
    svc.bus.send_tasks(tasks, "1")


def _cost_sum(svc: Services, plan: RunPlan, task: BackwardTask) -> float:
    """The epoch's cost sum after ``task``'s step: the sum before it (read back from the
    run's record) plus this batch's cost times its size, in the reference's order.

    The claim that follows applies only while the record's step is the previous one, and
    only that step's claim wrote the sum read then; a sum read later belongs to a claim
    that fails, whose caller heals from the stored record, not from this value."""
    before = 0.0
    if task.batch > 0:
        record = svc.ledger.get(plan.run_id)
        before = 0.0 if record is None else record.cost_sum
    return before + float(task.batch_cost) * plan.batch_size_of(task.epoch, task.batch)


def step_done(svc: Services, plan: RunPlan, task: BackwardTask) -> None:
    """Layer 1's backward pass of ``task``'s step is complete: claim the step, then start
    the next batch, the evaluation that closes the epoch, or the next epoch."""
    run, epoch, batch = plan.run_id, task.epoch, task.batch
    step = task.step + 1
    closes_epoch = batch == plan.batches_per_epoch - 1
    claim = svc.ledger.claim_step(
        run,
        step,
        _cost_sum(svc, plan, task),
        epochs_done=epoch + 1 if closes_epoch else None,
        message_id=current().message_id,
    )
    if claim is None:
        return  # claimed by another message, or the run stopped (cancelled, failed)
    _prune_params(svc, plan, step)
    if not closes_epoch:
        launch(svc, plan, "train", epoch, batch + 1, step)
        return
    cost = claim.record.cost_sum / plan.m_train
    if epoch in eval_epochs(plan.config.epochs, plan.config.eval_every):
        launch(svc, plan, "eval", epoch, 0, step)  # its close records this epoch
        return
    svc.ledger.put_history(run, HistoryEntry(epoch=epoch + 1, cost=cost))
    svc.bus.emit(EpochCompleted(run_id=run, epoch=epoch + 1, cost=cost))
    launch(svc, plan, "train", epoch + 1, 0, step)


def close_evaluation(
    svc: Services, plan: RunPlan, task: ForwardTask | LossTask, metrics: EvalMetrics
) -> None:
    """The evaluation after epoch ``task.epoch`` gave ``metrics``: claim it, record the
    epoch, then start the next epoch or finish the run."""
    run, epoch = plan.run_id, task.epoch
    claim = svc.ledger.claim_eval(run, epoch, message_id=current().message_id)
    if claim is None:
        return  # claimed by another message, or the run stopped (cancelled, failed)
    if not claim.claimed and claim.record.step != task.step:
        # The next epoch has claimed a step: this close was carried out whole (it launched
        # that epoch last), and the record's cost sum is already the next epoch's.
        return
    epochs = plan.config.epochs
    accuracies = metrics.accuracies()
    final_cost = metrics.train_cost
    if epochs > 0:
        final_cost = claim.record.cost_sum / plan.m_train
        entry = HistoryEntry(epoch=epoch + 1, cost=final_cost, **metrics.split_metrics())
        svc.ledger.put_history(run, entry)
        svc.bus.emit(EpochCompleted(run_id=run, epoch=epoch + 1, cost=final_cost, **accuracies))
    if epochs == 0 or epoch == epochs - 1:
        finish(svc, plan, task.step, final_cost, accuracies)
        return
    launch(svc, plan, "train", epoch + 1, 0, task.step)


def finish(
    svc: Services, plan: RunPlan, step: int, final_cost: float, accuracies: dict[str, float | None]
) -> None:
    """Assemble the model from every shard's last parameters and close the run."""
    params = read_layers(svc.store, svc.barriers, plan, step)
    config = {
        **plan.config.model_dump(mode="json"),
        "run_id": plan.run_id,
        "n_features": plan.n_features,
    }
    key = model_key(plan.run_id)
    svc.store.put_bytes(key, encode_model(params, config))
    succeeded = svc.ledger.succeed(
        plan.run_id, model_key=key, final_cost=final_cost, accuracies=accuracies
    )
    if succeeded:
        svc.bus.emit(
            RunSucceeded(
                run_id=plan.run_id,
                model_key=key,
                final_cost=final_cost,
                epochs=plan.config.epochs,
                **accuracies,
            )
        )


def cancel(message: CancelRun, svc: Services) -> None:
    """Cancel the run if ``message`` carries the token its TrainRequest set; MessageError
    (the run untouched) otherwise."""
    record = svc.ledger.get(message.run_id)
    digest = cancel_digest(message.token)
    if record is None or record.cancel_digest is None:
        raise MessageError(f"cancel refused: run {message.run_id} set no cancel token")
    if not hmac.compare_digest(record.cancel_digest, digest):
        raise MessageError(f"cancel refused: the token is not run {message.run_id}'s")
    cancel_run(svc.ledger, svc.bus, message.run_id, message.reason)

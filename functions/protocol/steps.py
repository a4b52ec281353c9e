"""Moving a run from one step to the next, by whoever completes layer 1's backward pass.

The step transition used to be a hop of its own: layer 1's last backward shard told the
trainer, which claimed the step and started the next one. It is now claimed by the arrival
that completes layer 1's backward barrier, in the same invocation, on the run record (the
same conditional write as before, with the id of the message that claimed the barrier), so
a step costs one hop less and the trainer runs only at the run's start, its evaluations and
its finish. Healing is unchanged: a redelivery of the claiming message finds the barrier
and the step claimed by itself, and publishes again.
"""

from functions.protocol.delivery import current
from functions.protocol.pruning import prune_params
from functions.protocol.run_plan import RunPlan
from functions.protocol.services import Services
from functions.training import eval_epochs
from messages.events import EpochCompleted
from messages.status import HistoryEntry
from messages.tasks import BackwardTask, ForwardTask


def launch(svc: Services, plan: RunPlan, phase: str, epoch: int, batch: int, step: int) -> None:
    """Send layer 1's forward tasks for one step (or one evaluation pass)."""
    tasks = [
        ForwardTask(
            run_id=plan.run_id, epoch=epoch, batch=batch, step=step, phase=phase, layer=1, shard=k
        )
        for k in range(len(plan.ranges(1)))
    ]
    svc.bus.send_tasks(tasks, "1")


def epoch_cost(plan: RunPlan, costs: list[float]) -> float:
    """Sample-weighted mean of the batch costs, summed in batch order like the reference."""
    total = 0.0
    for batch, cost in enumerate(costs):
        total += float(cost) * plan.batch_size_of(batch)
    return total / plan.m_train


def step_done(svc: Services, plan: RunPlan, task: BackwardTask) -> None:
    """Layer 1's backward pass of ``task``'s step is complete: claim the step, then start
    the next batch, the evaluation that closes the epoch, or the next epoch."""
    run, epoch, batch = plan.run_id, task.epoch, task.batch
    step = task.step + 1
    closes_epoch = batch == plan.batches_per_epoch - 1
    claim = svc.ledger.claim_step(
        run,
        step,
        task.batch_cost,
        first_in_epoch=batch == 0,
        epochs_done=epoch + 1 if closes_epoch else None,
        message_id=current().message_id,
    )
    if claim is None:
        return  # claimed by another message, or the run stopped (cancelled, failed)
    prune_params(svc, plan, step)
    if not closes_epoch:
        launch(svc, plan, "train", epoch, batch + 1, step)
        return
    cost = epoch_cost(plan, claim.record.costs)
    if epoch in eval_epochs(plan.config.epochs, plan.config.eval_every):
        launch(svc, plan, "eval", epoch, 0, step)  # the trainer records this epoch after it
        return
    svc.ledger.put_history(run, HistoryEntry(epoch=epoch + 1, cost=cost))
    svc.bus.emit(EpochCompleted(run_id=run, epoch=epoch + 1, cost=cost))
    launch(svc, plan, "train", epoch + 1, 0, step)

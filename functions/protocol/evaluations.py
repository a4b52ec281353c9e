"""Closing an evaluation pass, in the invocation that computed its metrics.

The metrics used to travel to the trainer as an EvalDone message on the train topic, the
public door anyone who may start a run can publish to, so a forged EvalDone could end any
run with made-up accuracies. They are now acted on where they were computed: the invocation
whose arrival completed the evaluation's last barrier claims the evaluation on the run
record (with its own message id, so a redelivery of that message heals a crash after the
claim, as the step claim does), records the epoch, and starts the next epoch or finishes the
run. No message carries results any more, so there is nothing to forge, and an evaluation
costs one hop less.
"""

import numpy as np

from functions.protocol.delivery import current
from functions.protocol.keys import model_key
from functions.protocol.params import read_params
from functions.protocol.run_plan import RunPlan
from functions.protocol.services import Services
from functions.protocol.steps import epoch_cost, launch
from messages.events import EpochCompleted, RunSucceeded
from messages.model_archive import encode_model
from messages.status import HistoryEntry
from messages.tasks import EvalMetrics, ForwardTask, LossTask


def close_evaluation(
    svc: Services, plan: RunPlan, task: ForwardTask | LossTask, metrics: EvalMetrics
) -> None:
    """The evaluation after epoch ``task.epoch`` gave ``metrics``: claim it, record the
    epoch, then start the next epoch or finish the run."""
    run, epoch = plan.run_id, task.epoch
    claim = svc.ledger.claim_eval(run, epoch, message_id=current().message_id)
    if claim is None:
        return  # claimed by another message, or the run stopped (cancelled, failed)
    epochs = plan.config.epochs
    accuracies = {
        "train_accuracy": metrics.train_accuracy,
        "dev_accuracy": metrics.dev_accuracy,
        "test_accuracy": metrics.test_accuracy,
    }
    final_cost = metrics.train_cost
    if epochs > 0:
        final_cost = epoch_cost(plan, claim.record.costs)
        entry = HistoryEntry(epoch=epoch + 1, cost=final_cost, **accuracies)
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
    params = []
    for layer in range(1, plan.depth + 1):
        shards = [
            read_params(svc.store, svc.barriers, plan, layer, k, step)
            for k in range(len(plan.ranges(layer)))
        ]
        w = np.concatenate([p["W"] for p in shards], axis=0)
        params.append((w, np.concatenate([p["b"] for p in shards], axis=0)))
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

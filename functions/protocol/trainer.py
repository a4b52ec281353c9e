"""The trainer Lambda's work: start a run, close each evaluation, finish (or cancel) it.

Steps move on without it: the arrival completing layer 1's backward pass claims the next
step (functions/protocol/steps.py).

Every transition is claimed on the run item before anything is published; a redelivery of
the message that claimed it re-publishes (healing a crash between claim and publish), any
other duplicate does nothing, and a run that is no longer RUNNING (cancelled, failed) makes
every transition a no-op.
"""

import numpy as np

from functions.protocol.delivery import current
from functions.protocol.keys import data_key, model_key, params_key, plan_key
from functions.protocol.outcomes import cancel_run, reject_run
from functions.protocol.params import read_params
from functions.protocol.references import request_scope
from functions.protocol.run_plan import RunPlan, load_plan
from functions.protocol.services import Services
from functions.protocol.steps import epoch_cost, launch
from functions.training import eval_inputs, split_training_data
from functions.training.checks import TrainingDataError, check_training_data
from functions.training.config import initial_params
from messages.events import EpochCompleted, RunAccepted, RunSucceeded
from messages.exceptions import MessageError
from messages.model_archive import encode_model
from messages.status import HistoryEntry, RunStatus
from messages.tasks import CancelRun, EvalDone
from messages.train_request import TrainRequest


def start(request: TrainRequest, svc: Services) -> None:
    run = request.run_id
    if request.depth > svc.settings.max_depth:
        reject_run(
            svc.ledger,
            svc.bus,
            run,
            f"the network has {request.depth} layers but the stack was "
            f"deployed for at most {svc.settings.max_depth}",
        )
        return
    # The data is read before the run record exists: a request whose references fail their
    # checks then fails on every delivery and reaches the dead-letter queue, rather than
    # finding its own FAILED record on redelivery and passing as a duplicate.
    store, data, scope = svc.store, request.data, request_scope(run)
    x_test = store.resolve(data.x_test, scope) if data.x_test else None
    y_test = store.resolve(data.y_test, scope) if data.y_test else None
    x_train, y_train = store.resolve(data.x_train, scope), store.resolve(data.y_train, scope)
    activation = request.layers[-1].activation
    try:
        check_training_data(x_train, y_train, activation=activation, suffix="_train")
        check_training_data(x_test, y_test, activation=activation, suffix="_test")
    except TrainingDataError as exc:  # invalid for good: the run fails, the message is dead
        raise MessageError(str(exc)) from exc
    message_id = current().message_id
    created, record = svc.ledger.start(
        run, dataset=request.dataset, epochs=request.epochs, message_id=message_id
    )
    if not created and (
        record.status is not RunStatus.RUNNING or record.start_message != message_id
    ):
        return  # started by another message (a redelivery of the starting one heals it)
    split = split_training_data(
        x_train, y_train, holdout=request.holdout, seed=request.seed, x_test=x_test, y_test=y_test
    )
    x_eval, y_eval = eval_inputs(split)
    for name, array in (
        ("x_train", split.x_train),
        ("y_train", split.y_train),
        ("x_eval", x_eval),
        ("y_eval", y_eval),
    ):
        store.put_array(data_key(run, name), np.asarray(array, dtype=np.float64))
    plan = RunPlan(run, request.config, request.n_features, split.eval_sizes)
    store.put_json(plan_key(run), plan.to_document())
    for layer, (w, b) in enumerate(initial_params(request, request.n_features), start=1):
        for shard, (lo, hi) in enumerate(plan.ranges(layer)):
            params = {"W": w[lo:hi], "b": b[lo:hi]}
            store.put_npz(
                params_key(run, layer, shard, 0), {**params, **plan.optimizer.init_state(params)}
            )
    svc.bus.emit(
        RunAccepted(
            run_id=run, dataset=request.dataset, layers=request.layers, epochs=request.epochs
        )
    )
    launch(svc, plan, "train" if request.epochs > 0 else "eval", 0, 0, 0)


def eval_done(message: EvalDone, svc: Services) -> None:
    run, epoch, metrics = message.run_id, message.epoch, message.metrics
    plan = load_plan(svc, run)
    claim = svc.ledger.claim_eval(run, epoch, message_id=current().message_id)
    if claim is None:
        return
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
        finish(svc, plan, message.step, final_cost, accuracies)
        return
    launch(svc, plan, "train", epoch + 1, 0, message.step)


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


def cancel(message: CancelRun, svc: Services) -> None:
    cancel_run(svc.ledger, svc.bus, message.run_id, message.reason)

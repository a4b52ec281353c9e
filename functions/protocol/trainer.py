"""The trainer Lambda's work: start a run, or cancel one for the holder of its cancel token.

Steps move on without it: the arrival completing layer 1's backward pass claims the next
step (functions/protocol/steps.py), and the invocation that computes an evaluation's
metrics closes it (functions/protocol/evaluations.py). The trainer's queue is the train
topic's, the public door: what comes in there may start a run under a fresh id and nothing
else (docs/security.md).

The start is claimed on the run item before anything is published; a redelivery of the
message that claimed it re-publishes (healing a crash between claim and publish), any other
request naming the run is refused without touching it.
"""

import hmac

import numpy as np

from functions.protocol.delivery import current
from functions.protocol.keys import data_key, params_key, plan_key
from functions.protocol.outcomes import cancel_run, refuse
from functions.protocol.references import request_scope
from functions.protocol.run_plan import RunPlan
from functions.protocol.services import Services
from functions.protocol.steps import launch
from functions.training import eval_inputs, split_training_data
from functions.training.checks import TrainingDataError, check_training_data
from functions.training.config import initial_params
from messages.events import RunAccepted
from messages.exceptions import MessageError
from messages.status import RunStatus
from messages.tasks import CancelRun
from messages.train_request import TrainRequest, cancel_digest


def start(request: TrainRequest, svc: Services) -> None:
    run = request.run_id
    if request.depth > svc.settings.max_depth:
        raise MessageError(
            f"the network has {request.depth} layers but the stack was "
            f"deployed for at most {svc.settings.max_depth}"
        )
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
    digest = cancel_digest(request.cancel_token) if request.cancel_token else None
    created, record = svc.ledger.start(
        run,
        dataset=request.dataset,
        epochs=request.epochs,
        message_id=message_id,
        cancel_digest=digest,
    )
    if not created and record.start_message != message_id:
        reason = f"run {run} exists already ({record.status.value}): this request was ignored"
        refuse(svc.bus, run, reason, message_id)
        return
    if not created and record.status is not RunStatus.RUNNING:
        return  # a redelivery of the starting request, whose run has ended since
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

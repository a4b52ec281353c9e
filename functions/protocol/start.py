"""A run's start: the trainer Lambda's answer to a TrainRequest.

The start is claimed on the run item before anything is published; a redelivery of the
message that claimed it re-publishes (healing a crash between claim and publish), and any
other request naming the run is refused without touching it. A request its stack's
functions could not hold is refused before anything (functions/training/capacity.py).

Data sent as stored batches is not read here at all: each step checks the batch it reads
(functions/protocol/batches.py). Whole arrays are read, checked, split and written as the
run's batches (docs/data-path.md). The plan is written last: a redelivery that finds it
writes nothing again.
"""

from functions.protocol.arrays import batches_scope, check_prefix, request_scope
from functions.protocol.delivery import Services, current
from functions.protocol.keys import data_prefix, params_key, plan_key
from functions.protocol.plan import RunPlan, StoredData, find_plan
from functions.protocol.trainer import launch, refuse
from functions.protocol.uploads import sizes_of, stored_data, write_batches
from functions.training.capacity import request_refusal
from functions.training.checks import TrainingDataError, check_training_data
from functions.training.config import initial_params
from functions.training.split import SplitSource, split_sources
from messages.events import RunAccepted
from messages.exceptions import MessageError
from messages.status import RunStatus
from messages.train_request import BatchedData, TrainingData, TrainRequest, cancel_digest


def _read_whole(request: TrainRequest, data: TrainingData, svc: Services) -> dict[str, SplitSource]:
    """The request's whole arrays, checked and split. Read before the run record exists: a
    request whose references fail their checks then fails on every delivery and reaches the
    dead-letter queue, rather than finding its own FAILED record on redelivery and passing
    as a duplicate."""
    store, scope = svc.store, request_scope(request.run_id)
    x_test = store.resolve(data.x_test, scope) if data.x_test else None
    y_test = store.resolve(data.y_test, scope) if data.y_test else None
    x_train, y_train = store.resolve(data.x_train, scope), store.resolve(data.y_train, scope)
    activation = request.layers[-1].activation
    try:
        check_training_data(x_train, y_train, activation=activation, suffix="_train")
        check_training_data(x_test, y_test, activation=activation, suffix="_test")
    except TrainingDataError as exc:  # invalid for good: the run fails, the message is dead
        raise MessageError(str(exc)) from exc
    return split_sources(
        x_train, y_train, holdout=request.holdout, seed=request.seed, x_test=x_test, y_test=y_test
    )


def start_run(request: TrainRequest, svc: Services) -> None:
    """Start the run: its record, its data's batches (only when the request sent whole
    arrays: a client's batches are read as the steps need them), the initial parameters,
    then the plan, written last, so that a redelivery finding it writes nothing again."""
    run = request.run_id
    if request.depth > svc.settings.max_depth:
        raise MessageError(
            f"the network has {request.depth} layers but the stack was "
            f"deployed for at most {svc.settings.max_depth}"
        )
    refused = request_refusal(request, svc.settings.function_sizes)
    if refused is not None:  # it would die of it on every delivery
        raise MessageError(refused)
    data = request.data
    if isinstance(data, BatchedData):
        check_prefix(data.prefix, batches_scope(run))
    sources = _read_whole(request, data, svc) if isinstance(data, TrainingData) else None
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
    plan = None if created else find_plan(svc.store, run)
    if plan is None:
        plan = _plan_run(request, sources, svc)
    svc.bus.emit(
        RunAccepted(
            run_id=run, dataset=request.dataset, layers=request.layers, epochs=request.epochs
        )
    )
    launch(svc, plan, "train" if request.epochs > 0 else "eval", 0, 0, 0)


def _plan_run(
    request: TrainRequest, sources: dict[str, SplitSource] | None, svc: Services
) -> RunPlan:
    run, store, data = request.run_id, svc.store, request.data
    if isinstance(data, BatchedData):
        stored = StoredData(data.prefix, data.n_outputs, data.x_dtype, data.y_dtype)
        plan = RunPlan(run, request.config, request.n_features, data.sizes, stored)
    elif sources is not None:
        stored = stored_data(data_prefix(run), sources)
        plan = RunPlan(run, request.config, request.n_features, sizes_of(sources), stored)
        write_batches(store.blobs, stored, sources, plan.layout)
    else:
        raise ValueError("a request with whole arrays needs them read and split")
    initial = initial_params(request, request.n_features)
    for layer, (whole, spec) in enumerate(zip(initial, plan.specs, strict=True), start=1):
        for shard, (lo, hi) in enumerate(plan.ranges(layer)):
            params = {name: array[lo:hi] for name, array in whole.items()}
            trained = {name: params[name] for name in spec.trained}
            store.put_npz(
                params_key(run, layer, shard, 0), {**params, **plan.optimizer.init_state(trained)}
            )
    store.put_json(plan_key(run), plan.to_document())
    return plan

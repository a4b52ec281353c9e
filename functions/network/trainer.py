"""The trainer Lambda's work: start a run, claim each step and evaluation transition, finish.

Every transition is claimed on the run item before anything is published; a duplicate that
finds its transition claimed but not marked published re-publishes (healing a crash), and a
run that is no longer RUNNING (cancelled, failed) makes every transition a no-op.
"""

import json
from typing import Any

import numpy as np

from functions.aws.runs import now
from functions.network.keys import data_key, model_key, params_key, plan_key
from functions.network.pruning import prune_params
from functions.network.runplan import RunPlan, load_plan
from functions.network.services import Services
from functions.training import eval_epochs, eval_inputs, split_training_data
from functions.training.config import initial_params
from messages.events import (
    EpochCompleted,
    RunAccepted,
    RunCancelled,
    RunFailed,
    RunSucceeded,
)
from messages.tasks import CancelRun, EvalDone, ForwardTask, StepDone
from messages.train_request import TrainRequest

RUNNING = {":running": "RUNNING"}


def launch(svc: Services, plan: RunPlan, phase: str, epoch: int, batch: int, step: int) -> None:
    """Send layer 1's forward tasks for one step (or one evaluation pass)."""
    tasks = [
        ForwardTask(
            run_id=plan.run_id, epoch=epoch, batch=batch, step=step, phase=phase, layer=1, shard=k
        )
        for k in range(len(plan.ranges(1)))
    ]
    svc.bus.send_tasks(tasks, "1")


def fail_run(svc: Services, run_id: str, reason: str) -> None:
    claim = svc.runs.update(
        run_id,
        {"status": "FAILED", "reason": reason},
        condition="#status = :running",
        condition_values=RUNNING,
    )
    if not claim.claimed and not claim.item:  # no record yet: the request itself was bad
        claim = svc.runs.create(
            run_id, {"status": "FAILED", "reason": reason, "created_at": now(), "updated_at": now()}
        )
    if claim.claimed:
        svc.bus.emit(RunFailed(run_id=run_id, reason=reason))


def start(request: TrainRequest, svc: Services) -> None:
    run = request.run_id
    if request.depth > svc.settings.max_depth:
        fail_run(
            svc,
            run,
            f"the network has {request.depth} layers but the stack was "
            f"deployed for at most {svc.settings.max_depth}",
        )
        return
    claim = svc.runs.create(
        run,
        {
            "status": "RUNNING",
            "dataset": request.dataset,
            "epochs": request.epochs,
            "epoch": 0,
            "last_step": 0,
            "published_step": -1,
            "last_eval": -1,
            "published_eval": -1,
            "created_at": now(),
            "updated_at": now(),
        },
    )
    item = claim.item
    if not claim.claimed and (item.get("status") != "RUNNING" or item["published_step"] >= 0):
        return
    store = svc.store
    split = split_training_data(
        store.resolve(request.data.x_train),
        store.resolve(request.data.y_train),
        holdout=request.holdout,
        seed=request.seed,
        x_test=store.resolve(request.data.x_test) if request.data.x_test else None,
        y_test=store.resolve(request.data.y_test) if request.data.y_test else None,
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
    svc.runs.update(run, {"published_step": 0})


def epoch_cost(plan: RunPlan, costs: list[float]) -> float:
    """Sample-weighted mean of the batch costs, summed in batch order like the reference."""
    total = 0.0
    for batch, cost in enumerate(costs):
        total += float(cost) * plan.batch_size_of(batch)
    return total / plan.m_train


def _claim(
    svc: Services,
    run: str,
    sets: dict[str, Any],
    condition: str,
    values: dict[str, Any],
    marker: str,
    done: int,
    append: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The run item after claiming a transition, or None when there is nothing to do."""
    claim = svc.runs.update(
        run, sets, condition=condition, condition_values={**RUNNING, **values}, append=append
    )
    item = claim.item
    if claim.claimed:
        return item
    healing = item.get("status") == "RUNNING" and item.get(marker, -1) < done
    return item if healing else None


def step_done(message: StepDone, svc: Services) -> None:
    run, epoch, batch = message.run_id, message.epoch, message.batch
    plan = load_plan(svc.store, run)
    step = message.step + 1
    first = batch == 0
    item = _claim(
        svc,
        run,
        {"last_step": step, **({"costs": [message.batch_cost]} if first else {})},
        "#status = :running AND last_step = :prev",
        {":prev": message.step},
        "published_step",
        step,
        append=None if first else {"costs": message.batch_cost},
    )
    if item is None or item.get("last_step") != step:
        return
    prune_params(svc, plan, step)
    marks: dict[str, Any] = {"published_step": step}
    if batch < plan.batches_per_epoch - 1:
        launch(svc, plan, "train", epoch, batch + 1, step)
    else:
        cost = epoch_cost(plan, item["costs"])
        svc.runs.put_history(run, epoch + 1, {"epoch": epoch + 1, "cost": cost})
        marks["epoch"] = epoch + 1
        if epoch in eval_epochs(plan.config.epochs, plan.config.eval_every):
            launch(svc, plan, "eval", epoch, 0, step)
        else:
            svc.bus.emit(EpochCompleted(run_id=run, epoch=epoch + 1, cost=cost))
            launch(svc, plan, "train", epoch + 1, 0, step)
    svc.runs.update(run, marks)


def eval_done(message: EvalDone, svc: Services) -> None:
    run, epoch, metrics = message.run_id, message.epoch, message.metrics
    plan = load_plan(svc.store, run)
    item = _claim(
        svc,
        run,
        {"last_eval": epoch},
        "#status = :running AND last_eval < :e",
        {":e": epoch},
        "published_eval",
        epoch,
    )
    if item is None or item.get("last_eval") != epoch:
        return
    epochs = plan.config.epochs
    accuracies = {
        "train_accuracy": metrics.train_accuracy,
        "dev_accuracy": metrics.dev_accuracy,
        "test_accuracy": metrics.test_accuracy,
    }
    final_cost = metrics.train_cost
    if epochs > 0:
        final_cost = epoch_cost(plan, item["costs"])
        svc.runs.put_history(run, epoch + 1, {"epoch": epoch + 1, "cost": final_cost, **accuracies})
        svc.bus.emit(EpochCompleted(run_id=run, epoch=epoch + 1, cost=final_cost, **accuracies))
    if epochs == 0 or epoch == epochs - 1:
        finish(svc, plan, message.step, final_cost, accuracies)
        return
    launch(svc, plan, "train", epoch + 1, 0, message.step)
    svc.runs.update(run, {"published_eval": epoch})


def finish(
    svc: Services, plan: RunPlan, step: int, final_cost: float, accuracies: dict[str, float | None]
) -> None:
    """Assemble the model from every shard's last parameters and close the run."""
    arrays: dict[str, np.ndarray] = {}
    for layer in range(1, plan.depth + 1):
        shards = [
            svc.store.get_npz(params_key(plan.run_id, layer, k, step))
            for k in range(len(plan.ranges(layer)))
        ]
        arrays[f"W{layer}"] = np.concatenate([p["W"] for p in shards], axis=0)
        arrays[f"b{layer}"] = np.concatenate([p["b"] for p in shards], axis=0)
    config = {
        **plan.config.model_dump(mode="json"),
        "run_id": plan.run_id,
        "n_features": plan.n_features,
    }
    arrays["config"] = np.array(json.dumps(config, sort_keys=True))
    key = model_key(plan.run_id)
    svc.store.put_npz(key, arrays)
    claim = svc.runs.update(
        plan.run_id,
        {
            "status": "SUCCEEDED",
            "model_key": key,
            "final_cost": final_cost,
            **accuracies,
            "published_eval": max(plan.config.epochs - 1, 0),
        },
        condition="#status = :running",
        condition_values=RUNNING,
    )
    if claim.claimed:
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
    claim = svc.runs.update(
        message.run_id,
        {"status": "CANCELLED", "reason": message.reason},
        condition="#status = :running",
        condition_values=RUNNING,
    )
    if claim.claimed:
        svc.bus.emit(RunCancelled(run_id=message.run_id, reason=message.reason))

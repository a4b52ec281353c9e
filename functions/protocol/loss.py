"""The loss Lambda's work: cost and dZ of the output layer, or the metrics of an eval pass."""

from functions.ports import ShardOutput
from functions.protocol.delivery import current
from functions.protocol.grads import backward_tasks
from functions.protocol.references import task_scope
from functions.protocol.run_plan import batch_data, load_plan
from functions.protocol.services import Services
from functions.protocol.spans import arrival_span, note, task_barrier
from functions.protocol.telemetry import loss_documents
from functions.training.step import evaluate_outputs, loss_stage
from messages.tasks import EvalDone, EvalMetrics, LossTask


def handle(task: LossTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    run = task.run_id
    # One "shard": the claim only dedupes. It comes first because the output is a message.
    key = task_barrier(task)
    message_id = current().message_id
    arrival = svc.barriers.arrive(
        key, 0, 1, ShardOutput(span=arrival_span(), message_id=message_id)
    )
    if not arrival.claimed:
        if not arrival.publishes(0, message_id):
            note(svc.barriers, task, "duplicate")
            return
        note(svc.barriers, task, "healed", "a redelivery of the claiming message: published")
    z = svc.store.resolve(task.outputs, task_scope(run))
    y = batch_data(svc, plan, task.phase, task.epoch, task.batch, "y")
    activation = plan.specs[-1].activation
    common = task.header()
    if task.phase == "eval":
        result = evaluate_outputs(
            z, y, plan.eval_sizes, activation, l2=plan.config.l2, weight_sq_sum=task.weight_sq_sum
        )
        metrics = EvalMetrics(
            train_cost=result.train_cost,
            train_accuracy=result.train_accuracy,
            dev_accuracy=result.dev_accuracy,
            test_accuracy=result.test_accuracy,
        )
        svc.bus.send_to_trainer(EvalDone(metrics=metrics, **common))
    else:
        result = loss_stage(z, y, activation, l2=plan.config.l2, weight_sq_sum=task.weight_sq_sum)
        tasks = backward_tasks(
            svc,
            plan,
            plan.depth,
            result.dz,
            grad_kind="dz",
            batch_cost=result.cost,
            header=common,
            telemetry=loss_documents(svc, plan, task, z, y),
        )
        svc.bus.send_tasks(tasks, str(plan.depth))

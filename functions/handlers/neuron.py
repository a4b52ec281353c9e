"""Neuron Lambda: forward and backward tasks of one shard, from a layer queue."""

from functions.handlers.base import sqs_handler
from functions.protocol import Services, backward, forward
from messages.exceptions import MessageError
from messages.tasks import BackwardTask, ForwardTask, parse_task


def work(body: str, svc: Services) -> None:
    task = parse_task(body)
    if isinstance(task, ForwardTask):
        forward.forward(task, svc)
    elif isinstance(task, BackwardTask):
        backward.backward(task, svc)
    else:
        raise MessageError(f"a layer queue got a {task.kind} task")


handler = sqs_handler(work, door="network")

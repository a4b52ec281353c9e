"""Neuron Lambda: forward and backward tasks of one shard, from a layer queue."""

from functions.handlers.base import sqs_handler
from functions.network import neuron
from functions.network.services import services
from messages.exceptions import MessageError
from messages.tasks import BackwardTask, ForwardTask, parse_task


def work(body: str) -> None:
    task = parse_task(body)
    if isinstance(task, ForwardTask):
        neuron.forward(task, services())
    elif isinstance(task, BackwardTask):
        neuron.backward(task, services())
    else:
        raise MessageError(f"a layer queue got a {task.kind} task")


handler = sqs_handler(work)

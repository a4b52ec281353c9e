"""Loss Lambda: cost and output gradient (or eval metrics), from the output queue."""

from functions.handlers.base import sqs_handler
from functions.protocol import Services, output
from messages.exceptions import MessageError
from messages.tasks import LossTask, parse_task


def work(body: str, svc: Services) -> None:
    task = parse_task(body)
    if not isinstance(task, LossTask):
        raise MessageError(f"the output queue got a {task.kind} task")
    output.handle(task, svc)


handler = sqs_handler(work, door="network")

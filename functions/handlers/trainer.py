"""Trainer Lambda: the train topic's TrainRequests and cancellations."""

from functions.handlers.base import sqs_handler
from functions.protocol import Services, start, trainer
from messages.tasks import CancelRun, parse_trainer_message
from messages.train_request import TrainRequest


def work(body: str, svc: Services) -> None:
    message = parse_trainer_message(body)
    if isinstance(message, TrainRequest):
        start.start_run(message, svc)
    elif isinstance(message, CancelRun):
        trainer.cancel(message, svc)


handler = sqs_handler(work, door="train")

"""Bus: tasks to the layers, messages to the trainer, lifecycle events to subscribers."""

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence

from pydantic import BaseModel

from functions.ports.types import Route


class Bus(ABC):
    """At-least-once delivery: every message may arrive more than once, and out of order.

    The protocol hands models; adapters move their JSON (SNS topics on AWS).
    """

    def send_tasks(self, tasks: Sequence[BaseModel], route: Route) -> None:
        """One message per task, to the queue behind ``route``."""
        if tasks:
            self.publish_tasks([task.model_dump_json() for task in tasks], route)

    def send_to_trainer(self, message: BaseModel) -> None:
        self.publish_to_trainer(message.model_dump_json())

    def emit(self, event: BaseModel) -> None:
        body = event.model_dump_json()
        self.publish_event(json.loads(body)["event"], body)

    @abstractmethod
    def publish_tasks(self, bodies: list[str], route: Route) -> None: ...

    @abstractmethod
    def publish_to_trainer(self, body: str) -> None: ...

    @abstractmethod
    def publish_event(self, name: str, body: str) -> None: ...

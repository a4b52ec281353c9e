"""InMemoryBus: the bus port on the in-memory stack's queues (routing as the SNS
subscriptions do it: a layer's tasks to its queue, "out" to the output queue)."""

from collections.abc import Callable

from functions.ports import Bus, Route
from functions.ports.types import OUTPUT_ROUTE

TRAINER_QUEUE = "trainer"
OUTPUT_QUEUE = "output"


def _queue_of(route: Route) -> str:
    return OUTPUT_QUEUE if route == OUTPUT_ROUTE else f"layer-{route}"


class InMemoryBus(Bus):
    def __init__(
        self, enqueue: Callable[[str, str], None], on_event: Callable[[str, str], None]
    ) -> None:
        self._enqueue = enqueue
        self._on_event = on_event

    def publish_tasks(self, bodies: list[str], route: Route) -> None:
        for body in bodies:
            self._enqueue(_queue_of(route), body)

    def publish_to_trainer(self, body: str) -> None:
        self._enqueue(TRAINER_QUEUE, body)

    def publish_event(self, name: str, body: str) -> None:
        self._on_event(name, body)

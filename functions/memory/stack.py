"""InMemoryStack: the stack's queues and functions in one process, with faults on demand.

Messages are delivered one at a time to the handlers' own ``work`` functions through the
same failure handling as on Lambda (``guarded``). What fails is redelivered with a higher
receive count, up to the stack's maxReceiveCount, then moved to its dead-letter queue,
whose consumer (the dead-letter function) ends the run it belongs to; what that consumer
cannot attribute is ``kept``. A process crash also throws away the "container's" memory;
a ``poison`` message kills its function's process on every delivery, before any handler
code runs (the dead-letter function reads it unharmed).
Delivery order is FIFO unless ``reorder`` picks a random queued message each time;
``duplicate`` is the chance that a publish is delivered twice.
"""

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any, cast

import numpy as np

from functions.handlers import deadletters as dead_letter_handler
from functions.handlers import loss as loss_handler
from functions.handlers import neuron as neuron_handler
from functions.handlers import trainer as trainer_handler
from functions.memory.barriers import InMemoryBarriers
from functions.memory.blobs import InMemoryBlobStore
from functions.memory.bus import OUTPUT_QUEUE, TRAINER_QUEUE, InMemoryBus
from functions.memory.faults import CallCounter, CrashPlan, ProcessCrash, Tripwire
from functions.memory.ledger import InMemoryRunLedger
from functions.nn.types import Params
from functions.protocol import (
    ArrayStore,
    Door,
    LruCache,
    RunPlan,
    Services,
    StackSettings,
    Work,
    guarded,
    nbytes,
    pack_training_data,
    plan_key,
    read_spans,
    read_telemetry,
    upload_batches,
)
from functions.telemetry import TelemetryRecord
from functions.telemetry.spans import Span
from functions.training.split import split_sources
from messages.model_archive import decode_model
from messages.status import RunRecord
from messages.train_request import BatchedData, TrainConfig, TrainingData, TrainRequest


class DeliveryLimitError(RuntimeError):
    """The stack delivered more messages than allowed without the run ending."""


@dataclass
class QueuedMessage:
    queue: str
    message_id: str
    body: str
    receives: int = 0


_DLQ_SUFFIX = "-dlq"


def _consumer(queue: str) -> tuple[Work, Door]:
    """The function consuming ``queue``: its work, and the door it is (failures.guarded)."""
    if queue.endswith(_DLQ_SUFFIX):
        return dead_letter_handler.work, "dead_letters"
    if queue == TRAINER_QUEUE:
        return trainer_handler.work, "train"
    if queue == OUTPUT_QUEUE:
        return loss_handler.work, "network"
    return neuron_handler.work, "network"


class InMemoryStack:
    def __init__(
        self,
        *,
        max_depth: int = 8,
        max_receives: int = 5,
        seed: int = 0,
        duplicate: float = 0.0,
        reorder: bool = False,
        crash: CrashPlan | None = None,
        poison: Callable[["QueuedMessage"], bool] | None = None,
    ) -> None:
        self.blobs = InMemoryBlobStore()
        self.barriers = InMemoryBarriers()
        self.ledger = InMemoryRunLedger()
        self.queued: list[QueuedMessage] = []
        self.dead_lettered: list[QueuedMessage] = []  # every move to a DLQ
        self.kept: list[QueuedMessage] = []  # what the dead-letter consumer left in its DLQ
        self.events: list[dict[str, Any]] = []
        self.counter = CallCounter(crash)
        self.crashes = 0
        self.deliveries = 0
        self._random = random.Random(seed)
        self._ids = count()
        self._duplicate = duplicate
        self._reorder = reorder
        self._poison = poison
        self.settings = StackSettings(
            bucket=self.blobs.bucket,
            runs_table="memory-runs",
            barriers_table="memory-barriers",
            train_topic_arn="memory:train",
            network_topic_arn="memory:network",
            events_topic_arn="memory:events",
            max_depth=max_depth,
            max_receives=max_receives,
        )
        self.bus = InMemoryBus(self._enqueue, self._record_event)
        self._container = self._new_container()

    # --- the user's side -----------------------------------------------------------------

    @property
    def store(self) -> ArrayStore:
        return ArrayStore(self.blobs, LruCache(64 * 1024 * 1024, nbytes))

    def submit(
        self,
        config: TrainConfig,
        x: np.ndarray,
        y: np.ndarray,
        run_id: str,
        *,
        cancel_token: str | None = None,
        batched: bool = False,
    ) -> str:
        """Publish a TrainRequest for column-major ``x`` (features x samples) and ``y``: as
        whole arrays (the trainer cuts them into batches), or ``batched`` as lnn's client
        sends them (split and cut here, the trainer reading none of it)."""
        if batched:
            sources = split_sources(x, y, holdout=config.holdout, seed=config.seed)
            data: TrainingData | BatchedData = upload_batches(self.blobs, run_id, sources, config)
        else:
            data = pack_training_data(self.store, run_id, x, y)
        request = TrainRequest(
            **config.model_dump(), run_id=run_id, data=data, cancel_token=cancel_token
        )
        self.bus.send_to_trainer(request)
        return run_id

    def record(self, run_id: str) -> RunRecord | None:
        return self.ledger.get(run_id)

    def model(self, run_id: str) -> tuple[Params, dict[str, Any]]:
        record = self.ledger.get(run_id)
        if record is None or record.model_key is None:
            raise LookupError(f"run {run_id} has no model")
        return decode_model(self.blobs.get_bytes(record.model_key))

    def telemetry(self, run_id: str) -> list[TelemetryRecord]:
        """The run's telemetry records, read back as a client reads them from S3."""
        return read_telemetry(self.store, run_id)

    def spans(self, run_id: str) -> list[Span]:
        """The run's message timeline, read back as a client reads it from the barriers."""
        plan = RunPlan.from_document(self.store.get_json(plan_key(run_id)))
        return read_spans(self.barriers, plan)

    # --- delivery ------------------------------------------------------------------------

    def run(self, *, until: Callable[[], bool] | None = None, max_deliveries: int = 100_000) -> int:
        """Deliver until the queues are empty (or ``until()`` holds); the deliveries made."""
        start = self.deliveries
        while self.queued and not (until is not None and until()):
            if self.deliveries - start >= max_deliveries:
                raise DeliveryLimitError(f"{max_deliveries} deliveries and still not done")
            self.deliver_one()
        return self.deliveries - start

    def deliver_one(self) -> None:
        index = self._random.randrange(len(self.queued)) if self._reorder else 0
        message = self.queued.pop(index)
        message.receives += 1
        self.deliveries += 1
        work, door = _consumer(message.queue)
        try:
            poisoned = self._poison is not None and self._poison(message)
            if poisoned and not message.queue.endswith(_DLQ_SUFFIX):
                raise ProcessCrash("the process died before any handler code ran")
            guarded(
                message.body,
                message.receives,
                work,
                self._container,
                door=door,
                message_id=message.message_id,
            )
        except ProcessCrash:
            self.crashes += 1
            self.restart()
            self._redeliver(message)
        except Exception:
            self._redeliver(message)

    @property
    def container(self) -> Services:
        """The services the functions' next delivery runs with."""
        return self._container

    def restart(self) -> None:
        """Start a fresh container: everything the functions kept in memory is gone."""
        self._container = self._new_container()

    def _redeliver(self, message: QueuedMessage) -> None:
        if message.queue.endswith(_DLQ_SUFFIX):
            self.kept.append(message)  # a DLQ has no DLQ: it waits there for people
        elif message.receives >= self.settings.max_receives:
            self.dead_lettered.append(message)
            # SQS moves the message itself: its id and receive count go with it.
            dlq = QueuedMessage(
                message.queue + _DLQ_SUFFIX, message.message_id, message.body, message.receives
            )
            self.queued.append(dlq)
        elif self._reorder:
            self.queued.insert(self._random.randrange(len(self.queued) + 1), message)
        else:
            self.queued.append(message)

    def send_to_dead_letters(self, queue: str, body: str) -> str:
        """Write ``body`` straight into ``queue``'s DLQ, as anyone allowed SendMessage on it
        could: the letter SQS did not redrive, which the consumer must refuse."""
        message_id = f"m{next(self._ids)}"
        self.queued.append(QueuedMessage(queue + _DLQ_SUFFIX, message_id, body))
        return message_id

    def publish(self, queue: str, body: str) -> None:
        """Publish a raw body to ``queue`` (the train topic's is TRAINER_QUEUE), as any
        client allowed to could."""
        self._enqueue(queue, body)

    def _enqueue(self, queue: str, body: str) -> None:
        copies = 2 if self._duplicate and self._random.random() < self._duplicate else 1
        for _ in range(copies):
            self.queued.append(QueuedMessage(queue, f"m{next(self._ids)}", body))

    def _record_event(self, name: str, body: str) -> None:
        self.events.append(json.loads(body))

    def _new_container(self) -> Services:
        def wired(port: Any, name: str) -> Any:
            return cast(Any, Tripwire(port, name, self.counter))

        return Services(
            settings=self.settings,
            blobs=wired(self.blobs, "blobs"),
            barriers=wired(self.barriers, "barriers"),
            ledger=wired(self.ledger, "ledger"),
            bus=wired(self.bus, "bus"),
        )

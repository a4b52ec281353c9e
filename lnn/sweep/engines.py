"""A sweep's engine, opened for its scheduler: the backend its trials run on, and the
stack's record store when there is a stack (`lnn sweep status|follow` read it there)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from infra.local.chaos import ChaosSpec
from lnn.prepare import PreparedData
from lnn.sweep.base import TrialBackend
from lnn.sweep.store import BlobSweepStore, SweepStore
from messages.status import STALL_AFTER_S
from messages.train_request import TrainConfig

__all__ = ["OpenEngine", "open_engine"]


@dataclass(frozen=True)
class OpenEngine:
    backend: TrialBackend
    store: SweepStore | None  # the stack's, None for the reference engine


@contextmanager
def open_engine(
    engine: str,
    data: PreparedData,
    configs: Sequence[TrainConfig],
    *,
    concurrency: int,
    stack: str = "lnn",
    chaos: ChaosSpec | None = None,
    stall_after: float = STALL_AFTER_S,
    endpoint_url: str | None = None,
) -> Iterator[OpenEngine]:
    """reference: a process pool of ``concurrency``; embedded: one stack in this process,
    deep enough for every trial, that all trials share; endpoint: the deployed ``stack``."""
    if engine == "reference":
        from lnn.sweep.reference import ReferenceBackend

        yield OpenEngine(ReferenceBackend(data, concurrency, stall_after=stall_after), None)
        return
    from lnn.client import StackClient
    from lnn.sweep.stack import StackBackend, delivering, waiting

    if engine == "embedded":
        from lnn.engines.stack import embedded_stack

        depth = max(8, *(config.depth for config in configs))
        with embedded_stack(stack, chaos=chaos, max_depth=depth) as session:
            move = delivering(session.runner)
            backend = StackBackend(session.client, data, move, stall_after=stall_after)
            yield OpenEngine(backend, BlobSweepStore(session.client.store.blobs))
        return
    client = StackClient.connect(stack=stack, endpoint_url=endpoint_url)
    backend = StackBackend(client, data, waiting(), stall_after=stall_after)
    yield OpenEngine(backend, BlobSweepStore(client.store.blobs))

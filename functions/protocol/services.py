"""The ports a handler works with, and this process's memory, bundled per stack."""

from dataclasses import dataclass, field
from functools import cache, cached_property

from functions.ports import Barriers, BlobStore, Bus, RunLedger
from functions.protocol.arrays import ArrayStore
from functions.protocol.memory import ProcessMemory
from functions.protocol.settings import StackSettings


@dataclass(frozen=True)
class Services:
    settings: StackSettings
    blobs: BlobStore
    barriers: Barriers
    ledger: RunLedger
    bus: Bus
    memory: ProcessMemory = field(default_factory=ProcessMemory)

    @cached_property
    def store(self) -> ArrayStore:
        return ArrayStore(self.blobs, self.memory.objects)


@cache
def _aws_services(settings: StackSettings) -> Services:
    from functions.aws import DynamoBarriers, DynamoRunLedger, S3BlobStore, SnsBus

    return Services(
        settings=settings,
        blobs=S3BlobStore(settings.bucket),
        barriers=DynamoBarriers(settings.barriers_table),
        ledger=DynamoRunLedger(settings.runs_table),
        bus=SnsBus(
            network_topic_arn=settings.network_topic_arn,
            train_topic_arn=settings.train_topic_arn,
            events_topic_arn=settings.events_topic_arn,
        ),
    )


def reset_services() -> None:
    """Forget every stack's Services (an embedded stack starts and stops its own emulator)."""
    _aws_services.cache_clear()


def services() -> Services:
    """The AWS adapters of the stack named by the environment, which is read at call time
    (the local runner sets it per invocation); one Services, so one memory, per stack."""
    return _aws_services(StackSettings.from_env())

"""The adapters a handler needs, built once per process from the function's environment."""

from dataclasses import dataclass
from functools import cache

from functions.aws.barrier import BarrierTable
from functions.aws.bus import Bus
from functions.aws.runs import RunTable
from functions.aws.settings import StackSettings
from functions.aws.store import ArrayStore


@dataclass(frozen=True)
class Services:
    settings: StackSettings
    store: ArrayStore
    barriers: BarrierTable
    runs: RunTable
    bus: Bus


@cache
def _services(settings: StackSettings) -> Services:
    return Services(
        settings=settings,
        store=ArrayStore(settings.bucket),
        barriers=BarrierTable(settings.barriers_table),
        runs=RunTable(settings.runs_table),
        bus=Bus(
            network_topic_arn=settings.network_topic_arn,
            train_topic_arn=settings.train_topic_arn,
            events_topic_arn=settings.events_topic_arn,
        ),
    )


def services() -> Services:
    """Read the environment at call time: the local runner sets it per invocation."""
    return _services(StackSettings.from_env())

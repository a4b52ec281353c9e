"""The protocol's view of the stack: a few small interfaces named for what they mean.

Two implementations hold each port to the same behaviour: the AWS adapters in
``functions.aws`` and the in-memory stack in ``functions.memory`` (contract tests run both).
"""

from functions.ports.barriers import Barriers
from functions.ports.blobs import BlobStore
from functions.ports.bus import Bus
from functions.ports.exceptions import (
    DeleteError,
    IncompleteBarrierError,
    ObjectNotFoundError,
    PortError,
    PublishError,
)
from functions.ports.ledger import RunLedger
from functions.ports.types import (
    NO_OUTPUT,
    Arrival,
    BarrierTimeline,
    Change,
    Expect,
    Route,
    ShardOutput,
)

__all__ = [
    "NO_OUTPUT",
    "Arrival",
    "BarrierTimeline",
    "Barriers",
    "BlobStore",
    "Bus",
    "Change",
    "DeleteError",
    "Expect",
    "IncompleteBarrierError",
    "ObjectNotFoundError",
    "PortError",
    "PublishError",
    "Route",
    "RunLedger",
    "ShardOutput",
]

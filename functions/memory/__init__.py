"""The in-memory stack: every port with the AWS adapters' semantics, in one process.

Conditional claims are atomic under a lock, and the bus is at-least-once: it can duplicate,
reorder and redeliver. ``InMemoryStack`` delivers messages to the same handler code the
Lambdas run and can kill the "process" at any port call, so the protocol's every crash
point is tested in milliseconds, without sockets.
"""

from functions.memory.barriers import InMemoryBarriers
from functions.memory.blobs import InMemoryBlobStore
from functions.memory.bus import InMemoryBus
from functions.memory.faults import CrashPlan, ProcessCrash
from functions.memory.ledger import InMemoryRunLedger
from functions.memory.stack import InMemoryStack, QueuedMessage

__all__ = [
    "CrashPlan",
    "InMemoryBarriers",
    "InMemoryBlobStore",
    "InMemoryBus",
    "InMemoryRunLedger",
    "InMemoryStack",
    "ProcessCrash",
    "QueuedMessage",
]

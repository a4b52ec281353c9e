"""AWS behind small adapters: the handlers' only route to S3, DynamoDB and SNS."""

from functions.aws.barrier import Arrival, BarrierTable
from functions.aws.bus import Bus
from functions.aws.clients import client, reset_clients
from functions.aws.runs import RunTable, TransitionClaim
from functions.aws.settings import StackSettings
from functions.aws.store import ArrayStore

__all__ = [
    "ArrayStore",
    "Arrival",
    "BarrierTable",
    "Bus",
    "RunTable",
    "StackSettings",
    "TransitionClaim",
    "client",
    "reset_clients",
]

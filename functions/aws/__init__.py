"""The AWS adapters: the ports of functions.ports on S3, DynamoDB and SNS.

Nothing outside this package (and the deploy code in infra/) calls boto3 or writes a
DynamoDB expression.
"""

from functions.aws.barriers import DynamoBarriers
from functions.aws.bus import SnsBus
from functions.aws.clients import client, reset_clients
from functions.aws.ledger import DynamoRunLedger
from functions.aws.s3 import S3BlobStore

__all__ = [
    "DynamoBarriers",
    "DynamoRunLedger",
    "S3BlobStore",
    "SnsBus",
    "client",
    "reset_clients",
]

"""Size limits, in one place: the AWS quotas the stack lives within (each with its source
and the date it was seen; docs/limits.md has the table), the budgets derived from them, and
the guards that stop a runaway request before it costs money."""

from __future__ import annotations

__all__ = [
    "BARRIER_ITEM_BUDGET",
    "DYNAMODB_ITEM_BYTES",
    "LAMBDA_MEMORY_MB",
    "LAMBDA_TIMEOUT_S",
    "MAX_ARRAY_DIMS",
    "MAX_BARRIER_NOTES",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MAX_INLINE_ARRAY_BYTES",
    "MAX_LAYERS",
    "MAX_SAMPLES_X_FEATURES",
    "MAX_SHARDS",
    "MAX_UNITS",
    "MESSAGE_ARRAY_BUDGET",
    "PARAMS_ITEM_BUDGET",
    "PUBLISH_BATCH_BYTES",
    "PUBLISH_BATCH_ENTRIES",
    "SEND_BATCH_BYTES",
    "SNS_BATCH_BYTES",
    "SNS_MESSAGE_BYTES",
    "SQS_BATCH_BYTES",
    "SQS_MESSAGE_BYTES",
    "TELEMETRY_ITEM_BUDGET",
    "TELEMETRY_MAX_CLASSES",
    "TELEMETRY_MESSAGE_BUDGET",
    "UPLOAD_INLINE_BUDGET",
]

_KIB = 1024
_MIB = 1024 * _KIB

# -- AWS quotas: nothing below may exceed them (full URLs in docs/limits.md) -----------
# SQS message, body + attributes: AWS What's New "SQS 1 MiB payload", 2025-08-04
SQS_MESSAGE_BYTES = 1 * _MIB
# SendMessageBatch, all entries together: SQS API reference SendMessageBatch, seen 2026-12-07
SQS_BATCH_BYTES = 1 * _MIB
# SNS Publish at a topic's default MaximumMessageSize: SNS guide, large payloads, 2026-09-18
SNS_MESSAGE_BYTES = 256 * _KIB
# PublishBatch, all entries together, within the same attribute: SNS API PublishBatch, 2026-12-07
SNS_BATCH_BYTES = SNS_MESSAGE_BYTES
# DynamoDB item, names + values (its KB is 1,024 B): DynamoDB guide, Constraints, 2026-12-07
DYNAMODB_ITEM_BYTES = 400 * _KIB
# Function MemorySize in MB, inclusive: Lambda guide, quotas, seen 2026-12-07
LAMBDA_MEMORY_MB = (128, 10_240)
# Function Timeout in seconds, inclusive: Lambda guide, quotas, seen 2026-12-07
LAMBDA_TIMEOUT_S = (1, 900)

# -- cost guards: no AWS quota behind them ------------------------------------------------
MAX_LAYERS = 32
MAX_UNITS = 4096
MAX_EPOCHS = 100_000
MAX_SHARDS = 256
MAX_SAMPLES_X_FEATURES = 50_000_000
MAX_BATCH_SIZE = 10_000_000
MAX_ARRAY_DIMS = 4

# -- budgets: where an array travels (inline in a message or an item, or as an S3 object
# the message references). They are the only such figures in the project.

# What a task message holds besides one inline array (its config, its other fields).
_MESSAGE_ENVELOPE_ROOM = 56 * _KIB
# Raw .npy bytes allowed inline; bigger arrays must travel as S3 references. Base64 grows
# bytes by 4/3, so an array at this limit fills an SNS message but its envelope: producers
# should switch to S3 well before it (see array_nbytes / encode_npy).
MAX_INLINE_ARRAY_BYTES = (SNS_MESSAGE_BYTES - _MESSAGE_ENVELOPE_ROOM) * 3 // 4
# Raw bytes of one array inline in a task message; a task fanned out to n shards carries
# MESSAGE_ARRAY_BUDGET // min(n, PUBLISH_BATCH_ENTRIES) so a whole PublishBatch still fits
# (tests/unit/test_limits.py checks it against PUBLISH_BATCH_BYTES).
MESSAGE_ARRAY_BUDGET = 150_000
# A DynamoDB item's keys and attribute names, besides the payloads below.
_ITEM_KEYS_ROOM = 29_600
# The spans of rare events (duplicates, failures) a barrier item keeps, within the keys'
# room above: a note is a JSON span of at most about 450 bytes (its error cut to 300).
MAX_BARRIER_NOTES = 32
# A backward barrier item also carries its shards' new parameter versions (.npz bytes)
# when they fit in this, shared among them (functions/protocol/versions.py).
PARAMS_ITEM_BUDGET = 20_000
# Telemetry documents (JSON text) of a step's shards share this much of the item; one over
# its share (a shard of hundreds of units) is written to S3 and the item names its key.
TELEMETRY_ITEM_BUDGET = 80_000
# The shard outputs that ride in a barrier item share the rest of it.
BARRIER_ITEM_BUDGET = (
    DYNAMODB_ITEM_BYTES - PARAMS_ITEM_BUDGET - TELEMETRY_ITEM_BUDGET - _ITEM_KEYS_ROOM
)
# The loss stage's telemetry for one output shard, in that shard's backward task.
TELEMETRY_MESSAGE_BUDGET = 16_000
# Class counts (confusion matrices) are k x k integers: beyond this many classes they are
# left out, of telemetry and of the history alike. What that makes of a history item's size
# is stated next to messages/status.py HistoryEntry.
TELEMETRY_MAX_CLASSES = 32
# A TrainRequest (published to the train topic) carries up to four arrays (x, y of train
# and test) next to its config.
UPLOAD_INLINE_BUDGET = MAX_INLINE_ARRAY_BYTES // 4

# -- batch calls (messages/batching.py) ---------------------------------------------------
# Entries per SNS PublishBatch and per SQS SendMessageBatch alike.
PUBLISH_BATCH_ENTRIES = 10
# Each entry's message attributes (the task's `layer`) count toward a batch's total too.
_BATCH_ATTRIBUTE_ROOM = 16 * _KIB
# Bodies of one SNS PublishBatch together.
PUBLISH_BATCH_BYTES = SNS_BATCH_BYTES - _BATCH_ATTRIBUTE_ROOM
# Bodies of one SQS SendMessageBatch together.
SEND_BATCH_BYTES = SQS_BATCH_BYTES - _BATCH_ATTRIBUTE_ROOM

"""Limits that stop a runaway request before it costs money; one place to tune them."""

from __future__ import annotations

__all__ = [
    "BARRIER_ITEM_BUDGET",
    "MAX_ARRAY_DIMS",
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
    "TELEMETRY_ITEM_BUDGET",
    "TELEMETRY_MAX_CLASSES",
    "TELEMETRY_MESSAGE_BUDGET",
    "UPLOAD_INLINE_BUDGET",
]

MAX_LAYERS = 32
MAX_UNITS = 4096
MAX_EPOCHS = 100_000
MAX_SHARDS = 256
MAX_SAMPLES_X_FEATURES = 50_000_000
MAX_BATCH_SIZE = 10_000_000
MAX_ARRAY_DIMS = 4

# Raw .npy bytes allowed inline; bigger arrays must travel as S3 references. Base64
# grows bytes by 4/3, so an array at this limit alone fills SNS's 256 KiB message cap:
# producers should switch to S3 well before it (see array_nbytes / encode_npy).
MAX_INLINE_ARRAY_BYTES = 150 * 1024

# The budgets below decide where an array travels: inline in a message or an item, or as
# an S3 object that the message references. They are the only such figures in the project.

# Raw bytes of one array inline in a task message; a task fanned out to n shards carries
# MESSAGE_ARRAY_BUDGET // min(n, PUBLISH_BATCH_ENTRIES) so a whole PublishBatch still fits.
MESSAGE_ARRAY_BUDGET = 150_000
# A DynamoDB item holds 400 KB: the shard outputs that ride in a barrier item share this.
BARRIER_ITEM_BUDGET = 280_000
# A backward barrier item also carries its shards' new parameter versions (.npz bytes)
# when they fit in this, shared among them (functions/protocol/versions.py).
PARAMS_ITEM_BUDGET = 20_000
# Telemetry documents (JSON text) of a step's shards share the rest of the item; one over
# its share (a shard of hundreds of units) is written to S3 and the item names its key.
TELEMETRY_ITEM_BUDGET = 80_000
# The loss stage's telemetry for one output shard, in that shard's backward task.
TELEMETRY_MESSAGE_BUDGET = 16_000
# Class counts (confusion matrices) are k x k integers: beyond this many classes they are
# left out, of telemetry and of the history alike. What that makes of a history item's size
# is stated next to messages/status.py HistoryEntry.
TELEMETRY_MAX_CLASSES = 32
# A TrainRequest carries up to four arrays (x, y of train and test) next to its config.
UPLOAD_INLINE_BUDGET = MAX_INLINE_ARRAY_BYTES // 4
# SNS PublishBatch: at most 10 entries and 256 KiB in total (some room left for attributes).
PUBLISH_BATCH_ENTRIES = 10
PUBLISH_BATCH_BYTES = 240 * 1024

"""Limits that stop a runaway request before it costs money; one place to tune them."""

from __future__ import annotations

__all__ = [
    "MAX_ARRAY_DIMS",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MAX_INLINE_ARRAY_BYTES",
    "MAX_LAYERS",
    "MAX_SAMPLES_X_FEATURES",
    "MAX_SHARDS",
    "MAX_UNITS",
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

"""Every budget in messages/limits.py fits the AWS quota it is carved from, so a message or
an item built to a budget is never refused by the service for its size."""

import numpy as np

from messages.arrays import InlineArray
from messages.limits import (
    BARRIER_ITEM_BUDGET,
    DYNAMODB_ITEM_BYTES,
    MAX_INLINE_ARRAY_BYTES,
    MESSAGE_ARRAY_BUDGET,
    PARAMS_ITEM_BUDGET,
    PUBLISH_BATCH_BYTES,
    PUBLISH_BATCH_ENTRIES,
    SEND_BATCH_BYTES,
    SNS_BATCH_BYTES,
    SNS_MESSAGE_BYTES,
    SQS_BATCH_BYTES,
    SQS_MESSAGE_BYTES,
    TELEMETRY_ITEM_BUDGET,
    TELEMETRY_MESSAGE_BUDGET,
    UPLOAD_INLINE_BUDGET,
)


def _base64_len(raw: int) -> int:
    return 4 * -(-raw // 3)


def test_an_inline_array_at_its_limit_leaves_room_in_an_sns_message() -> None:
    array = np.zeros(MAX_INLINE_ARRAY_BYTES // 8 - 16, dtype=np.float64)  # the .npy header
    message = InlineArray.from_numpy(array).model_dump_json()
    assert len(message) <= _base64_len(MAX_INLINE_ARRAY_BYTES) + 100
    assert SNS_MESSAGE_BYTES - len(message) >= 32 * 1024  # room for the task around it


def test_a_train_request_with_four_arrays_at_budget_fits_an_sns_message() -> None:
    arrays = 4 * _base64_len(UPLOAD_INLINE_BUDGET)
    assert arrays + TELEMETRY_MESSAGE_BUDGET < SNS_MESSAGE_BYTES


def test_a_fanned_out_task_batch_fits_one_publish_batch() -> None:
    """Each of up to 10 entries carries its share of MESSAGE_ARRAY_BUDGET as base64."""
    for fan_out in range(1, PUBLISH_BATCH_ENTRIES + 1):
        share = MESSAGE_ARRAY_BUDGET // fan_out
        assert fan_out * _base64_len(share) <= PUBLISH_BATCH_BYTES, fan_out


def test_batch_budgets_fit_their_services_totals() -> None:
    assert PUBLISH_BATCH_BYTES < SNS_BATCH_BYTES <= SNS_MESSAGE_BYTES
    assert PUBLISH_BATCH_BYTES < SEND_BATCH_BYTES < SQS_BATCH_BYTES
    # An SNS message, delivered raw, always fits one SQS message.
    assert SNS_MESSAGE_BYTES <= SQS_MESSAGE_BYTES


def test_a_barrier_item_at_its_budgets_fits_a_dynamodb_item() -> None:
    payloads = BARRIER_ITEM_BUDGET + PARAMS_ITEM_BUDGET + TELEMETRY_ITEM_BUDGET
    assert payloads + 16 * 1024 <= DYNAMODB_ITEM_BYTES  # room for keys and names

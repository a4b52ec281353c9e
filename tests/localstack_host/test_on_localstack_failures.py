"""The functional tests of dead letters, cancel and the trust boundaries, run as they are on
LocalStack on the host (see tests/functional/test_dead_letters.py, test_cancel.py and
test_trust_boundaries.py): LocalStack's SQS applies the redrive policy itself (and marks
what it moved with DeadLetterQueueSourceArn), and its DynamoDB judges the conditional
writes."""

from __future__ import annotations

import pytest
from test_cancel import test_cancel_stops_a_running_run_within_one_step
from test_dead_letters import (
    test_a_process_that_dies_on_every_delivery_fails_its_run,
    test_malformed_layer_message_ends_in_dlq_and_spares_its_run,
)
from test_trust_boundaries import (
    clean,
    data,
    test_a_forged_evaluation_result_on_the_train_topic_ends_no_run,
    test_a_letter_sent_straight_into_a_dead_letter_queue_fails_no_run,
    test_an_invalid_request_reusing_a_running_run_s_id_changes_nothing,
)

pytestmark = pytest.mark.localstack_host

__all__ = [
    "clean",
    "data",
    "test_a_forged_evaluation_result_on_the_train_topic_ends_no_run",
    "test_a_letter_sent_straight_into_a_dead_letter_queue_fails_no_run",
    "test_a_process_that_dies_on_every_delivery_fails_its_run",
    "test_an_invalid_request_reusing_a_running_run_s_id_changes_nothing",
    "test_cancel_stops_a_running_run_within_one_step",
    "test_malformed_layer_message_ends_in_dlq_and_spares_its_run",
]

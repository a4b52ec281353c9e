"""The functional tests of dead letters and cancel, run as they are on LocalStack on the
host (see tests/functional/test_dead_letters.py and test_cancel.py): LocalStack's SQS
applies the redrive policy itself, and its DynamoDB judges the conditional writes."""

from __future__ import annotations

import pytest
from test_cancel import test_cancel_stops_a_running_run_within_one_step
from test_dead_letters import (
    test_a_process_that_dies_on_every_delivery_fails_its_run,
    test_malformed_layer_message_ends_in_dlq_and_spares_its_run,
)

pytestmark = pytest.mark.localstack_host

__all__ = [
    "test_a_process_that_dies_on_every_delivery_fails_its_run",
    "test_cancel_stops_a_running_run_within_one_step",
    "test_malformed_layer_message_ends_in_dlq_and_spares_its_run",
]

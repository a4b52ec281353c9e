"""The default stall limit and the queues' visibility timeouts come from the default function
timeouts: a message held by a worker that died stays hidden for its queue's visibility
timeout, so a run can look stuck that long while nothing is wrong but a lost process."""

from infra.stack import StackNames, build_stack
from messages.function_sizes import DEFAULT_FUNCTION_SIZES
from messages.status import STALL_AFTER_S


def test_the_default_stall_limit_outlasts_every_visibility_timeout() -> None:
    names = StackNames(stack="lnn", region="us-east-1", account_id="123456789012", max_depth=3)
    spec = build_stack(names)
    assert spec.sizes == DEFAULT_FUNCTION_SIZES
    consumers = {m.queue: m.function for m in spec.mappings}
    timeouts = {fn.name: fn.timeout for fn in spec.functions}
    assert spec.queues
    for queue in spec.queues:
        consumer_timeout = timeouts[consumers[queue.name]]
        assert queue.visibility_timeout >= 6 * consumer_timeout  # AWS's advice for Lambda
        assert queue.visibility_timeout < STALL_AFTER_S, queue.name
        # The dead-letter consumer's own queue follows the same rule.
        assert queue.dlq_visibility_timeout >= 6 * timeouts[consumers[queue.dlq_name]]

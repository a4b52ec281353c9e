"""The default stall limit and the queues' visibility timeout come from one function timeout:
a message held by a worker that died stays hidden for the visibility timeout, so a run can
look stuck that long while nothing is wrong but a lost process."""

from infra.stack import StackNames, build_stack
from messages.status import FUNCTION_TIMEOUT_S, STALL_AFTER_S


def test_the_default_stall_limit_outlasts_the_visibility_timeout() -> None:
    names = StackNames(stack="lnn", region="us-east-1", account_id="123456789012", max_depth=3)
    spec = build_stack(names)
    assert {fn.timeout for fn in spec.functions} == {FUNCTION_TIMEOUT_S}
    assert spec.queues
    for queue in spec.queues:
        assert queue.visibility_timeout >= 6 * FUNCTION_TIMEOUT_S  # AWS's advice for Lambda
        assert queue.visibility_timeout < STALL_AFTER_S, queue.name

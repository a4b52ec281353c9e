"""A run that recovered from a failed delivery finishes clean: its SUCCEEDED record (what
`lnn status --json` prints) keeps no error of a delivery whose retry went through."""

from memory_runs import RUN, config, toy_data, train

from functions.memory import InMemoryStack
from functions.protocol.keys import params_key
from lnn.bench.workload import same_bytes
from messages.status import RunStatus


def test_a_succeeded_run_drops_the_error_of_a_retried_delivery() -> None:
    x, y = toy_data()
    expected = train(InMemoryStack(), config(), x, y).model(RUN)[0]
    stack = InMemoryStack()
    stack.submit(config(), x, y, RUN)
    key = params_key(RUN, 2, 1, 0)
    stack.run(until=lambda: key in stack.blobs.objects)
    saved = stack.blobs.get_bytes(key)
    stack.blobs.delete([key])
    stack.restart()  # no cached copy: the next read of the parameters fails
    stack.run(until=lambda: stack.record(RUN).last_error is not None)
    assert "ObjectNotFoundError" in stack.record(RUN).last_error
    stack.blobs.put_bytes(key, saved)
    stack.run()
    record = stack.record(RUN)
    assert record.status is RunStatus.SUCCEEDED and record.reason is None
    assert record.last_error is None and "last_error" not in record.stored()
    assert same_bytes(stack.model(RUN)[0], expected)

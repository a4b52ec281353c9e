"""S3 references from messages are checked before use (docs/design.md, rule 10): the stack's bucket,
the message's own prefixes, and a .npy header that matches the declaration, read before the
body. A request that fails any check ends FAILED with a one-line reason and is dead-lettered."""

from collections.abc import Sequence

import numpy as np
import pytest
from memory_runs import RUN, config, toy_data

from functions.memory import InMemoryStack
from functions.memory.blobs import InMemoryBlobStore
from functions.ports import BlobStore
from functions.protocol.arrays import (
    HEADER_PROBE_BYTES,
    ArrayReferenceError,
    ArrayStore,
    LruCache,
    nbytes,
    request_scope,
    task_scope,
)
from functions.protocol.keys import batch_key, data_prefix, plan_key, upload_key
from lnn.bench.workload import same_bytes
from messages.arrays import InlineArray, S3Array, encode_npy
from messages.status import RunStatus
from messages.tasks import ForwardTask, LossTask
from messages.train_request import TrainingData, TrainRequest

OTHER = "run-2"


class MeteredBlobs(BlobStore):
    """A blob store that counts the bytes each read brings back, per key."""

    def __init__(self, inner: InMemoryBlobStore) -> None:
        self.inner, self.bucket, self.fetched = inner, inner.bucket, dict[str, int]()
        self.objects = inner.objects

    def _count(self, key: str, body: bytes) -> bytes:
        self.fetched[key] = self.fetched.get(key, 0) + len(body)
        return body

    def put_bytes(self, key: str, body: bytes) -> None:
        self.inner.put_bytes(key, body)

    def get_bytes(self, key: str) -> bytes:
        return self._count(key, self.inner.get_bytes(key))

    def get_range(self, key: str, start: int, stop: int) -> bytes:
        return self._count(key, self.inner.get_range(key, start, stop))

    def delete(self, keys: Sequence[str]) -> None:
        self.inner.delete(keys)


def _metered_stack() -> tuple[InMemoryStack, MeteredBlobs]:
    stack = InMemoryStack()
    metered = MeteredBlobs(stack.blobs)
    stack.blobs = metered  # type: ignore[assignment]
    stack.restart()  # the functions' container now reads through the meter
    return stack, metered


def _ref(stack: InMemoryStack, key: str, shape: tuple[int, ...], **fields: str) -> S3Array:
    values = {"bucket": stack.blobs.bucket, "dtype": "float64", **fields}
    return S3Array(key=key, shape=shape, **values)


def _request(x_ref: S3Array, y: np.ndarray) -> TrainRequest:
    data = TrainingData(x_train=x_ref, y_train=InlineArray.from_numpy(y))
    return TrainRequest(**config(epochs=1).model_dump(), run_id=RUN, data=data)


def _rejected(stack: InMemoryStack, x_ref: S3Array, y: np.ndarray) -> str:
    """Submit a request whose x_train is ``x_ref``: it must fail and be dead-lettered."""
    stack.bus.send_to_trainer(_request(x_ref, y))
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason is not None and "\n" not in record.reason
    (dead,) = stack.dead_lettered
    assert dead.queue == "trainer" and dead.receives == stack.settings.max_receives
    assert not any(key.startswith(f"runs/{RUN}/params") for key in stack.blobs.objects)
    return record.reason


X, Y = toy_data()
OWN = upload_key(RUN, "x_train")


def _put(stack: InMemoryStack, key: str, body: bytes) -> str:
    stack.blobs.put_bytes(key, body)
    return key


@pytest.mark.parametrize(
    ("case", "body", "key", "expected"),
    [
        ("another run's key", encode_npy(X), upload_key(OTHER, "x_train"), "outside the prefixes"),
        ("a dot segment", encode_npy(X), f"{OWN[:-4]}/../x.npy", "empty or dot segment"),
        ("a shape mismatch", encode_npy(X[:, :20]), OWN, "holds float64 (3, 20)"),
        ("a dtype mismatch", encode_npy(X.astype(np.float32)), OWN, "holds float32 (3, 24)"),
        ("not a .npy object", b"x0,x1,x2,y\n0.1,0.2,0.3,1\n", OWN, "not a .npy array"),
        ("a truncated object", encode_npy(X)[:-8], OWN, "is shorter than its 704-byte"),
        ("trailing bytes", encode_npy(X) + b"\0" * 10, OWN, "has bytes after its 704-byte"),
    ],
)
def test_a_bad_reference_fails_the_request(case: str, body: bytes, key: str, expected: str) -> None:
    stack = InMemoryStack()
    reason = _rejected(stack, _ref(stack, _put(stack, key, body), X.shape), Y)
    assert key in reason and expected in reason, case
    assert reason.endswith("declares float64 (3, 24)") == ("mismatch" in case)


def test_another_bucket_is_refused_even_with_the_runs_own_key() -> None:
    stack = InMemoryStack()
    _put(stack, OWN, encode_npy(X))
    reason = _rejected(stack, _ref(stack, OWN, X.shape, bucket="someone-elses-bucket"), Y)
    assert reason.startswith(f"s3://someone-elses-bucket/{OWN}: not in this stack's bucket")


def test_an_oversized_object_is_refused_from_its_header_without_reading_the_body() -> None:
    stack, metered = _metered_stack()
    big = encode_npy(np.zeros((3, 40_000)))  # 960 kB where the request declares 3 x 24
    reason = _rejected(stack, _ref(stack, _put(stack, OWN, big), X.shape), Y)
    assert reason.endswith("holds float64 (3, 40000) but the reference declares float64 (3, 24)")
    deliveries = stack.settings.max_receives
    # Each delivery read the declared 576 bytes and the header's room: never the 960 kB.
    declared = HEADER_PROBE_BYTES + X.nbytes + 1
    assert metered.fetched[OWN] == deliveries * declared


def test_trailing_bytes_are_found_without_reading_them() -> None:
    stack, metered = _metered_stack()
    x, y = toy_data(m=200)
    padded = encode_npy(x) + b"\0" * 500_000
    reason = _rejected(stack, _ref(stack, _put(stack, OWN, padded), x.shape), y)
    assert "has bytes after its 4928-byte .npy array" in reason
    # One read a delivery: the declared 4,800 bytes, the header's room and one byte more.
    one_read = HEADER_PROBE_BYTES + x.nbytes + 1
    assert metered.fetched[OWN] == stack.settings.max_receives * one_read


def test_shared_inputs_train_like_uploaded_data() -> None:
    x, y = toy_data(m=100)  # 2,528 bytes, read in one request
    expected = InMemoryStack()
    expected.submit(config(epochs=1), x, y, RUN)
    expected.run()
    stack, metered = _metered_stack()
    key = _put(stack, "inputs/toy/x.npy", encode_npy(x))
    stack.bus.send_to_trainer(_request(_ref(stack, key, x.shape), y))
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert same_bytes(stack.model(RUN)[0], expected.model(RUN)[0])
    assert metered.fetched[key] == 2528  # no byte read twice


def test_network_tasks_naming_another_runs_object_are_dead_lettered_alone() -> None:
    x_other = _ref(InMemoryStack(), batch_key(data_prefix(OTHER), "train", 0, "x"), (3, 18))
    header = {"run_id": RUN, "epoch": 0, "batch": 0, "step": 0, "phase": "train"}
    stack = InMemoryStack()
    stack.submit(config(epochs=1), X, Y, RUN)
    stack.run(until=lambda: stack.deliveries >= 3)
    forward = ForwardTask(**header, layer=2, shard=0, inputs=x_other)
    stack.bus.publish_tasks([forward.model_dump_json()], "2")
    # A batch the run never reaches: the loss stage claims before it reads, so a forged task
    # of a real batch would find the barrier published by the genuine one and stop there.
    loss = LossTask(**{**header, "batch": 7}, outputs=x_other)
    stack.bus.publish_tasks([loss.model_dump_json()], "out")
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert sorted(m.queue for m in stack.dead_lettered) == ["layer-2", "output"]


def test_a_task_reference_is_held_to_its_run_and_to_what_it_names() -> None:
    store = ArrayStore(InMemoryBlobStore(), LruCache(1 << 20, nbytes))
    ref = store.put_array(
        batch_key(data_prefix(RUN), "train", 0, "x"), X
    )  # cached as it is written
    store.put_json(plan_key(RUN), {"layers": 2})  # cached, as a document
    scope = task_scope(RUN)
    np.testing.assert_array_equal(store.resolve(ref, scope), X)
    wrong_shape = ref.model_copy(update={"shape": (3, 5)})
    with pytest.raises(ArrayReferenceError, match=r"holds float64 \(3, 24\) but .* \(3, 5\)"):
        store.resolve(wrong_shape, scope)
    with pytest.raises(ArrayReferenceError, match=r"plan\.json: not a \.npy array"):
        store.resolve(ref.model_copy(update={"key": plan_key(RUN)}), scope)
    for other in (task_scope(OTHER), request_scope(RUN)):
        with pytest.raises(ArrayReferenceError, match="outside the prefixes"):
            store.resolve(ref, other)

"""A run's data as stored batches (functions/protocol/batches.py): written once, by the client
or by the trainer, in its own dtype; read one batch a step; evaluated pass by pass. The runs
here are MNIST-shaped (float32 features, ten one-hot classes), scaled down."""

from collections.abc import Iterator

import numpy as np
import pytest
from memory_runs import RUN, reference_result

from functions.memory import InMemoryStack
from functions.memory.blobs import InMemoryBlobStore
from functions.protocol import fanin as fanin_module
from functions.protocol import plan as plan_module
from functions.protocol.keys import data_prefix, upload_prefix
from functions.protocol.uploads import upload_batches
from functions.training import layout as layout_module
from functions.training.layout import DataLayout
from functions.training.split import split_sources, split_training_data
from lnn.bench.workload import max_abs_diff, same_bytes
from lnn.engines.reference import train_reference
from messages.arrays import decode_npy, encode_npy
from messages.status import RunStatus
from messages.train_request import TrainConfig, TrainRequest

CLASSES = 10


def mnist_shaped(m: int = 240, n_features: int = 30, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Column-major float32 features and one-hot float64 targets of ten classes."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, m)
    centers = rng.normal(size=(n_features, CLASSES)).astype(np.float32)
    x = centers[:, labels] + rng.normal(scale=0.5, size=(n_features, m)).astype(np.float32)
    return x.astype(np.float32), np.eye(CLASSES)[labels].T


def mnist_config(**overrides: object) -> TrainConfig:
    options: dict[str, object] = dict(
        dataset="mnist-shaped",
        layers=[{"units": 16, "activation": "relu"}, {"units": CLASSES, "activation": "softmax"}],
        epochs=2,
        batch_size=32,
        shards=2,
        lr=0.01,
        optimizer="adam",
        holdout=0.2,
        seed=3,
    )
    options.update(overrides)
    return TrainConfig(**options)


class PutLog(InMemoryBlobStore):
    """An in-memory bucket that remembers every key written, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.puts: list[str] = []

    def put_bytes(self, key: str, body: bytes) -> None:
        self.puts.append(key)
        super().put_bytes(key, body)


def _logged_stack(**options: object) -> tuple[InMemoryStack, PutLog]:
    stack = InMemoryStack(**options)  # type: ignore[arg-type]
    log = PutLog()
    stack.blobs = log
    stack.settings = stack.settings.__class__(**{**vars(stack.settings), "bucket": log.bucket})
    stack.restart()
    return stack, log


def _batch_keys(keys: list[str], prefix: str) -> list[str]:
    return [key for key in keys if key.startswith(prefix) and key.endswith(".npy")]


@pytest.mark.parametrize("batched", [True, False], ids=["client-batches", "whole-arrays"])
def test_a_run_on_stored_batches_equals_the_reference(batched: bool) -> None:
    x, y = mnist_shaped()
    cfg = mnist_config()
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN, batched=batched)
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.SUCCEEDED
    expected = reference_result(cfg, x, y)
    assert max_abs_diff(stack.model(RUN)[0], expected.params) <= 1e-12  # 2 shards: round-off
    assert record.train_accuracy == expected.train_accuracy
    assert record.dev_accuracy == expected.dev_accuracy


def test_both_doors_train_the_same_model_byte_for_byte() -> None:
    x, y = mnist_shaped()
    models = []
    for batched in (True, False):
        stack = InMemoryStack()
        stack.submit(mnist_config(), x, y, RUN, batched=batched)
        stack.run()
        models.append(stack.model(RUN)[0])
    assert same_bytes(*models)


def test_batches_keep_float32_and_hold_one_batch_each() -> None:
    x, y = mnist_shaped(m=100)
    stack, log = _logged_stack()
    stack.submit(mnist_config(holdout=0.0, batch_size=32), x, y, RUN, batched=True)
    keys = _batch_keys(log.puts, upload_prefix(RUN))
    assert len(keys) == 2 * 4  # x and y of 4 batches (32, 32, 32, 4)
    first = decode_npy(log.objects[keys[0]])
    assert first.dtype == np.float32 and first.shape == (30, 32)
    stored = np.concatenate(
        [decode_npy(log.objects[k]) for k in keys if k.endswith("/x.npy")], axis=1
    )
    columns = np.concatenate(DataLayout((100, 0, 0), 32, 3, 30).train_batches)
    np.testing.assert_array_equal(stored, x[:, columns])  # the samples, not a conversion


@pytest.mark.parametrize("batched", [True, False], ids=["client-batches", "whole-arrays"])
def test_each_batch_is_written_once_and_a_redelivered_start_writes_nothing(batched: bool) -> None:
    x, y = mnist_shaped()
    stack, log = _logged_stack(duplicate=1.0)  # every message delivered twice
    stack.submit(mnist_config(epochs=1), x, y, RUN, batched=batched)
    uploaded = list(log.puts)
    trainer = stack.queued[:2]
    assert [m.body for m in trainer] == [trainer[0].body] * 2
    stack.deliver_one()  # the start
    started = log.puts[len(uploaded) :]
    stack.deliver_one()  # its duplicate
    assert log.puts[len(uploaded) + len(started) :] == []
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    prefix = upload_prefix(RUN) if batched else data_prefix(RUN)
    written = _batch_keys(log.puts, prefix)
    assert written and len(written) == len(set(written))
    if batched:  # the client wrote them all; the trainer read and wrote none of the data
        assert set(written) <= set(uploaded)
        assert _batch_keys(started, f"runs/{RUN}/") == []


def test_a_wrong_batch_fails_the_run_naming_it() -> None:
    x, y = mnist_shaped()
    stack, log = _logged_stack()
    stack.submit(mnist_config(epochs=1), x, y, RUN, batched=True)
    key = f"{upload_prefix(RUN)}train/b2/x.npy"
    bad = decode_npy(log.objects[key]).copy()
    bad[4, 7] = np.nan
    log.objects[key] = encode_npy(bad)
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason == (
        "x_train batch 2: x_train holds 1 non-finite value (NaN), the first at row 4 of sample 7"
    )
    assert not stack.dead_lettered  # failed at once, not retried into a dead letter


def test_a_missing_batch_fails_the_run_naming_it() -> None:
    x, y = mnist_shaped()
    stack, log = _logged_stack()
    stack.submit(mnist_config(epochs=1), x, y, RUN, batched=True)
    del log.objects[f"{upload_prefix(RUN)}train/b1/y.npy"]
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason is not None and record.reason.startswith("y_train batch 1: ")


@pytest.fixture
def small_eval_passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # 30 float64 features (the widest array: layers of 16 and 10) x 64 samples: each pass
    # takes two stored batches of 32.
    monkeypatch.setattr(layout_module, "EVAL_BATCH_BYTES", 30 * 8 * 64)
    yield


def test_an_evaluation_in_passes_equals_the_reference(small_eval_passes: None) -> None:
    x, y = mnist_shaped(m=300)
    cfg = mnist_config()
    passes = DataLayout((240, 60, 0), 32, 3, 30).eval_passes
    assert len(passes) == 5  # 8 train batches, then 2 dev batches, two at a time
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN, batched=True)
    stack.run()
    record = stack.record(RUN)
    expected = reference_result(cfg, x, y)
    assert record is not None and record.status is RunStatus.SUCCEEDED
    assert max_abs_diff(stack.model(RUN)[0], expected.params) <= 1e-12  # 2 shards: round-off
    assert (record.train_accuracy, record.dev_accuracy) == (
        expected.train_accuracy,
        expected.dev_accuracy,
    )
    history = stack.ledger.history(RUN)
    assert [e.train_confusion for e in history] == [e.train_confusion for e in expected.history]


def _batched_request(stack: InMemoryStack, run_id: str, prefix: str) -> TrainRequest:
    x, y = mnist_shaped()
    cfg = mnist_config(epochs=1)
    sources = split_sources(x, y, holdout=cfg.holdout, seed=cfg.seed)
    data = upload_batches(stack.blobs, "uploader", sources, cfg)
    if prefix != data.prefix:  # the same objects, copied where the request says
        for key in [k for k in stack.blobs.objects if k.startswith(data.prefix)]:
            stack.blobs.put_bytes(prefix + key[len(data.prefix) :], stack.blobs.objects[key])
    return TrainRequest(
        **cfg.model_dump(), run_id=run_id, data=data.model_copy(update={"prefix": prefix})
    )


def test_batches_under_inputs_are_refused() -> None:
    """Steps read a run's batches all run long: they must be its own, which nobody replaces."""
    stack = InMemoryStack()
    stack.bus.send_to_trainer(_batched_request(stack, "shared", "inputs/mnist-shaped/"))
    stack.run()
    record = stack.record("shared")
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason == (
        "prefix 'inputs/mnist-shaped/' is outside the prefixes it may name (runs/shared/upload/)"
    )


def test_a_request_naming_another_runs_batches_is_refused() -> None:
    stack = InMemoryStack()
    stack.bus.send_to_trainer(_batched_request(stack, "thief", "runs/uploader/upload/"))
    stack.run()
    record = stack.record("thief")
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason == (
        "prefix 'runs/uploader/upload/' is outside the prefixes it may name (runs/thief/upload/)"
    )
    assert [m.queue for m in stack.dead_lettered] == ["trainer"]


def test_a_float64_test_set_beside_float32_training_data_keeps_its_digits() -> None:
    x, y = mnist_shaped()
    x_test, y_test = mnist_shaped(m=50, seed=1)
    x_test = x_test.astype(np.float64) + 1e-9  # digits float32 cannot hold
    cfg = mnist_config(epochs=1)
    stack = InMemoryStack()
    sources = split_sources(x, y, holdout=cfg.holdout, seed=cfg.seed, x_test=x_test, y_test=y_test)
    data = upload_batches(stack.blobs, RUN, sources, cfg)
    assert data.x_dtype == "float64"
    stack.bus.send_to_trainer(TrainRequest(**cfg.model_dump(), run_id=RUN, data=data))
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.SUCCEEDED, record
    split = split_training_data(
        x, y, holdout=cfg.holdout, seed=cfg.seed, x_test=x_test, y_test=y_test
    )
    expected = train_reference(cfg, split)
    assert max_abs_diff(stack.model(RUN)[0], expected.params) <= 1e-12
    assert record.test_accuracy == expected.test_accuracy


def test_a_layer_of_one_shard_stores_its_output_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Outputs of more than 1 KB leave both the barrier item and the message: each layer's
    # output goes to S3 once, at its shard's arrival, and the next stage refers to it.
    monkeypatch.setattr(fanin_module, "BARRIER_ITEM_BUDGET", 1024)
    monkeypatch.setattr(plan_module, "MESSAGE_ARRAY_BUDGET", 1024)
    x, y = mnist_shaped(m=300)
    cfg = mnist_config(shards=1)
    stack, log = _logged_stack()
    stack.submit(cfg, x, y, RUN, batched=True)
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.SUCCEEDED, record
    assert max_abs_diff(stack.model(RUN)[0], reference_result(cfg, x, y).params) == 0.0
    spilled = [k for k in log.puts if "/fwd/" in k]
    assert any("/eval/" in k for k in spilled) and any("/train/" in k for k in spilled)
    assert not [k for k in log.puts if "/acts/" in k]
    # The backward pass's dA of a layer of one shard is in no barrier: it went on whole.
    backward = [b for k, b in stack.barriers.items.items() if "#bwd#" in k]
    assert backward and all(not b.payloads and not b.s3_keys for b in backward)
    forward = [b for k, b in stack.barriers.items.items() if "#train#" in k and "#fwd#1" in k]
    assert forward and all(b.s3_keys for b in forward)  # read again by the backward pass


def test_every_epochs_cost_equals_the_reference_to_the_last_bit() -> None:
    # 240 training samples in batches of 32: seven full ones and one of 16, each epoch.
    x, y = mnist_shaped(m=300)
    cfg = mnist_config(shards=1, epochs=4, eval_every=2)
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN, batched=True)
    stack.run()
    expected = reference_result(cfg, x, y)
    costs = [entry.cost for entry in stack.ledger.history(RUN)]
    assert len(costs) == 4 and costs == [entry.cost for entry in expected.history]
    assert stack.record(RUN).final_cost == expected.final_cost

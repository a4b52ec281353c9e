"""A kept step's weights are read only when asked for (never while the view's lock is held,
never for a poll of the document), and a step that cannot be read or drawn says why."""

from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ClientError
from watch_runs import config, watched_run

from functions.nn.types import Array
from functions.ports import ObjectNotFoundError
from lnn.watch.images import StepNotDrawnError
from lnn.watch.view import RunView

DIGITS = config(
    "digits",
    layers=[{"units": 3, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
    epochs=3,
)


class Reader:
    """A stack's reader of kept steps: counts its reads, fails as told, and checks that it
    is never called while the view's lock is held (a poll would wait on S3)."""

    def __init__(self, view: RunView, kept: dict[int, Array], fail: dict[int, Any]) -> None:
        self.view, self.kept, self.fail, self.reads = view, kept, fail, 0

    def __call__(self, step: int) -> Array | None:
        assert not self.view._lock.locked(), "read under the view's lock"
        self.reads += 1
        if step in self.fail:
            failure = self.fail[step]
            if isinstance(failure, Exception):
                raise failure
            return failure
        return self.kept.get(step)


def _watched(fail: dict[int, Any]) -> tuple[RunView, Reader]:
    view, result = watched_run(DIGITS)
    reader = Reader(view, dict(result.first_layer), fail)
    view.set_first_layer(sorted(result.first_layer), reader)
    return view, reader


def test_a_poll_of_the_document_reads_no_weights() -> None:
    view, reader = _watched({3: ClientError({"Error": {"Code": "SlowDown"}}, "GetObject")})
    document = view.document()
    assert document["weights"]["steps"] == [0, 1, 2, 3] and document["weights"]["pictures"] == {}
    view.document(since=0)
    assert reader.reads == 0


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (ClientError({"Error": {"Code": "SlowDown", "Message": "x"}}, "GetObject"), "SlowDown"),
        (ObjectNotFoundError("s3://b/k"), "could not be read"),
        (None, "no longer stored"),
        (np.full((3, 64), np.nan, dtype=np.float32), "not all finite"),
        (ValueError("not an npz\nfile"), "could not be read: not an npz file"),
    ],
)
def test_a_step_that_cannot_be_drawn_says_why(failure: Any, reason: str) -> None:
    view, _ = _watched({2: failure})
    with pytest.raises(StepNotDrawnError, match=reason) as caught:
        view.weight_pictures(2)
    assert "\n" not in str(caught.value)
    assert view.weight_pictures(1)["step"] == 1  # the others still draw
    # the report embeds what it can and names the rest with why
    report = view.weights_section(embed=4)
    assert report is not None and list(report["pictures"]) == ["0", "1", "3"]
    assert reason.split(":")[0] in report["failed"]["2"]
    assert view.document()["weights"]["failed"] == {}  # the live page asks: no read here


def test_the_reference_feed_keeps_float32_snapshots_of_the_picture_steps() -> None:
    """A picture needs 8 bits a channel: the page reads W1 as float32 (the cat network's 25
    steps are 25 MB, not 49), the engine's own snapshots, which its later steps cannot change."""
    view, result = watched_run(DIGITS)
    reader = view.first_layer._reader
    assert reader is not None and result.first_layer
    for step, snapshot in result.first_layer.items():
        kept = reader(step)
        assert kept is snapshot and kept.dtype == np.float32  # one copy, the engine's
    final = result.params[0]["W"]
    np.testing.assert_array_equal(reader(max(result.first_layer)), final.astype(np.float32))
    assert not np.array_equal(reader(0), final.astype(np.float32))  # the init stays the init

"""Feeding a RunView from a deployed stack (embedded, `lnn up`, LocalStack, AWS), by polling
what the run leaves there: its record and history, its plan and (once) its examples, its
telemetry objects, its parameters (for the boundary and the pictures) and its spans.

`poll` reads only what moved since the last call and throttles itself, so a waiter may call
it as often as it likes; it runs in the caller's thread with the caller's client. The record
is the waiter's own read. The views read only when the record claims a telemetry step the
feed has not seen: that step's telemetry objects (one a layer), the parameters at that step
(one read per shard of every layer) and the latest passes' spans (one BatchGetItem); a step
without telemetry costs no call. The history is read when the record's epoch moved.
"""

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from functions.nn.types import Array
from functions.ports import ObjectNotFoundError
from functions.protocol import (
    RunPlan,
    find_plan,
    read_layer,
    read_layers,
    read_spans,
    read_telemetry,
)
from lnn.client import StackClient
from lnn.model_file import load_model
from lnn.telemetry import whole_steps
from lnn.watch.recent_spans import read_recent_spans
from lnn.watch.stack_examples import stack_examples
from lnn.watch.timeline import TIMELINE_STEPS
from lnn.watch.view import RunView
from messages.status import HistoryEntry, RunRecord

# Between looks at the record the waiter hands over: the page draws every 2 s.
POLL_S = 1.0
LIVE_PARAMS = "the boundary follows the parameters of the latest telemetry step"


class StackFeed:
    def __init__(self, view: RunView) -> None:
        self.view = view
        self._next_poll = 0.0
        self._follow("")

    def _follow(self, run_id: str) -> None:
        self.run_id = run_id
        self.plan: RunPlan | None = None
        self._telemetry_step = 0  # the latest claimed telemetry step the views were read at
        self._params_asked = -1  # the latest step whose parameters were asked for
        self._params_step = -1  # the step of the parameters the view holds

    def poll(
        self,
        client: StackClient,
        run_id: str,
        record: RunRecord | None,
        calls: Callable[[], dict[str, Any]] | None = None,
        *,
        force: bool = False,
        history: Sequence[HistoryEntry] | None = None,
    ) -> None:
        """Bring the view up to ``record``, the caller's last read of run ``run_id``'s record
        (``calls``: the embedded engine's AWS calls per hop so far; ``history``: entries the
        caller read itself, taken as they are so the feed need not read them again)."""
        if run_id != self.run_id:
            self._follow(run_id)
        if history is not None:  # before the throttle: the caller will not hand these again
            self.view.add_history(history)
        now = time.monotonic()
        force = force or (record is not None and record.status.is_terminal)  # all of it
        if not force and now < self._next_poll:
            return
        self._next_poll = now + POLL_S
        if record is None:
            return
        if calls is not None:
            self.view.update(calls=calls())
        # The caller read the history itself (even none yet, the record's epoch ahead of its
        # entry): the feed's read would only repeat it.
        self._catch_up(client, record, end=force, history=history is None)

    def final(self, client: StackClient, record: RunRecord) -> None:
        """Everything of a finished run: the rest of its telemetry, all its spans and, when
        it succeeded, its model (the boundary and the pictures of the parameters it ended
        with)."""
        if record.run_id != self.run_id:
            self._follow(record.run_id)
        self._catch_up(client, record, end=True, recent_spans=False)
        # All the spans: the counts of the run. The plan is known by now, the record in hand.
        if self.plan is not None:
            self.view.set_spans(read_spans(client.barriers, self.plan))
        else:
            self.view.set_spans(client.spans(record.run_id))
        # The model holds the parameters of the run's last step: when the shards' read above
        # already has that step, the model would only bring the same arrays again.
        fresh = self._params_step == record.step
        if record.model_key and self.plan is not None and self.view.wants_params() and not fresh:
            with tempfile.TemporaryDirectory() as tmp:
                model = load_model(client.download_model(record.run_id, Path(tmp) / "model.npz"))
            self.view.set_params(record.step, model.params)

    def _catch_up(
        self,
        client: StackClient,
        record: RunRecord,
        *,
        end: bool,
        history: bool = True,
        recent_spans: bool = True,
    ) -> None:
        """The view brought up to ``record``: the ``history`` when its epoch moved, and the
        views' reads when it claims a telemetry step not seen yet (at the ``end``: whatever
        is left, once)."""
        self._record(record)
        if self.plan is None and not self._read_plan(client):
            return
        moved = record.epoch > self.view.epoch or record.status.is_terminal
        if history and moved:
            self.view.add_history(client.history(self.run_id, after=self.view.epoch))
        self._first_layer(client, record.step)
        claimed = self.plan.telemetry.latest(record.step)
        if claimed <= self._telemetry_step and not end:
            return  # no telemetry step since the last read: nothing for the views to read
        self._telemetry_step = claimed
        self._read_telemetry(client, record.step, force=end)
        if recent_spans:
            self._read_spans(client, record.step)
        if self.view.wants_params():
            # At the end the last step's, which the model holds too; while the run goes on
            # the claimed telemetry step's, which the trainer's pruning keeps a while
            # (KEEP_VERSIONS: a slower poll finds it gone and waits for the next one).
            self._read_params(client, record.step if end else claimed)

    def _record(self, record: RunRecord) -> None:
        ended = record.updated_at.timestamp() if record.status.is_terminal else None
        self.view.update(
            run_id=record.run_id,
            status=record.status.value,
            reason=record.reason,
            step=record.step,
            started=record.created_at.timestamp(),
            ended=ended,
        )

    def _read_plan(self, client: StackClient) -> bool:
        self.plan = plan = find_plan(client.store, self.run_id)
        if plan is None:  # the trainer has not started the run yet
            return False
        # A view planned in this process holds the run's examples already; a run found on
        # the stack has them read once, here (lnn.watch.stack_examples).
        examples = self.view.examples
        if examples is None:
            examples = stack_examples(client.store, plan)
            self.view.set_examples(examples)
        if plan.n_features == 2 and "train" in examples.splits:
            self.view.set_points(*examples.splits["train"])
        self.view.update(
            config=plan.config,
            n_features=plan.n_features,
            eval_sizes=plan.eval_sizes,
            steps_per_epoch=plan.batches_per_epoch,
            note=LIVE_PARAMS,
        )
        return True

    def _read_telemetry(self, client: StackClient, step: int, *, force: bool) -> None:
        """The records of the telemetry steps after the view's last, once the record says one
        of them is done: a step is claimed after its layer 1's backward hop, the last writer of
        its records, so until then there is nothing whole to read. The record is in hand, so
        the store is read directly (StackClient.telemetry would fetch the record again)."""
        assert self.plan is not None
        last = self.view.series.steps[-1] if self.view.series.steps else 0
        if last >= self.plan.telemetry.total_steps:
            return
        if not force and not any(s in self.plan.telemetry for s in range(last + 1, step + 1)):
            return
        # Steps past the claimed one are not whole yet: no reads for them (at the end,
        # ``force``, whatever was written counts).
        through = None if force else step
        records = read_telemetry(
            client.store, self.run_id, after_step=last, through_step=through, plan=self.plan
        )
        self.view.add_telemetry(whole_steps(records, self.plan.depth))

    def _read_spans(self, client: StackClient, step: int) -> None:
        assert self.plan is not None
        spans = read_recent_spans(client.barriers, self.plan, step, TIMELINE_STEPS + 1)
        self.view.set_spans(spans)

    def _first_layer(self, client: StackClient, step: int) -> None:
        """The kept steps of layer 1 the run has passed; the page reads one when it asks
        (nothing is read here: a kept version is one GetObject per shard)."""
        plan = self.plan
        assert plan is not None

        def read(at: int) -> Array | None:
            try:
                return read_layer(client.store, client.barriers, plan, 1, at)["W"]
            except ObjectNotFoundError:
                return None

        self.view.set_first_layer([s for s in plan.picture_steps if s <= step], read)

    def _read_params(self, client: StackClient, step: int) -> None:
        """Every shard's parameters at version ``step`` (claimed, so all were written),
        joined into whole layers; read once per step, found or not."""
        assert self.plan is not None
        if step <= self._params_asked:
            return
        self._params_asked = step
        try:
            params = read_layers(client.store, client.barriers, self.plan, step)
        except ObjectNotFoundError:  # pruned meanwhile: the next telemetry step's, then
            return
        self._params_step = step
        self.view.set_params(step, params)

"""The sweep's loop, the same on every engine: start trials in sweep order while fewer than
the concurrency run, look at them, judge them at the halving's rungs, cancel the ones the
halving drops, collect each one as it ends, and keep the record up to date in its stores.

A trial is final (recorded SUCCEEDED, FAILED or STOPPED, its outputs written) once it has
ended and has its verdict at every rung it reached; until then its record says RUNNING. A
sweep that dies is resumed from its record and runs again exactly the trials that were not
final (lnn.sweep.plan.resume_sweep)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lnn.engines.base import StopCheck, TrainingResult
from lnn.sweep.base import TrialBackend, TrialProgress
from lnn.sweep.halving import NOT_YET, SHORT, RungScore, Verdicts, judge_due, rung_score, settled
from lnn.sweep.keeper import Changed, RecordKeeper
from lnn.sweep.results import reached
from lnn.sweep.store import SweepStore
from lnn.sweep.types import SweepRecord, TrialRecord, TrialStatus, trial_run_id
from messages.status import STALL_AFTER_S, RunStatus

__all__ = ["INTERRUPTED", "Scheduler", "TrialEnded"]

# Called once per trial when it becomes final, with what its run left (None for a trial
# that never started): the sweep writes its run directory there.
TrialEnded = Callable[[TrialRecord, TrainingResult | None], None]
INTERRUPTED = "the sweep was interrupted by Ctrl-C: resume it with the same --sweep-id"
_ENDED = {
    RunStatus.SUCCEEDED: TrialStatus.SUCCEEDED,
    RunStatus.FAILED: TrialStatus.FAILED,
    RunStatus.CANCELLED: TrialStatus.CANCELLED,
}


@dataclass(frozen=True)
class Ended:
    """A trial whose run has ended, waiting for its verdicts before it is final."""

    result: TrainingResult | None
    status: TrialStatus
    reason: str | None


class Scheduler(RecordKeeper):
    def __init__(
        self,
        record: SweepRecord,
        backend: TrialBackend,
        stores: Sequence[SweepStore],
        *,
        on_trial_end: TrialEnded | None = None,
        on_change: Changed | None = None,
        interrupted: StopCheck | None = None,
        poll_s: float = 0.25,
        stall_after: float = STALL_AFTER_S,
        follow_every: float | None = None,
    ) -> None:
        super().__init__(record, stores, on_change)
        self.backend, self.on_trial_end, self.interrupted = backend, on_trial_end, interrupted
        self.poll_s, self.stall_after = poll_s, stall_after
        # The live page draws running trials' curves: their new epochs are read as they come,
        # at most every ``follow_every`` s (the page's own poll interval: more often, no one
        # would see them sooner). None: a history is read only at a rung and at the end.
        self.follow_every = follow_every
        self._read_at: dict[int, float] = {}
        self.running: dict[int, float] = {}  # index -> when it was started
        self.awaiting: dict[int, Ended] = {}
        self.drops: dict[int, tuple[int, str]] = {}  # index -> (rung, reason)
        self.verdicts: Verdicts = {}

    def run(self) -> SweepRecord:
        """Run every trial that is not final; the record as it ends (with CANCELLED trials
        once ``interrupted`` said so)."""
        self._save()
        try:
            while True:
                if self.interrupted is not None and self.interrupted():
                    self._interrupt()
                    break
                self._fill()
                if not self.running and not self.awaiting:
                    break
                self.backend.advance(self.poll_s)
                changed = self._look()
                changed |= self._halve()
                changed |= self._finalize()
                if changed:
                    self._save()
        finally:
            self.backend.close()
        self._save()
        return self.record

    def _fill(self) -> None:
        for trial in self.record.trials:
            if len(self.running) >= self.record.concurrency:
                return
            busy = trial.index in self.running or trial.index in self.awaiting
            if not trial.status.is_final and not busy:
                self._start(trial)

    def _start(self, trial: TrialRecord) -> None:
        """Start the trial's run, or follow the one a resumed sweep had started already (it
        may have ended since: the next look collects it). A run the sweep's interruption
        cancelled is not reused: the trial runs again as a new attempt."""
        assert trial.run_id is not None  # set when the sweep was planned (lnn.sweep.plan)
        found = self.backend.progress(trial.run_id).status
        if found == RunStatus.CANCELLED:
            attempt = trial.attempt + 1
            run_id = trial_run_id(self.record.sweep_id, trial.index, attempt)
            self._update(trial.index, attempt=attempt, run_id=run_id)
            trial = self.record.trials[trial.index]
            found = None
        self._update(trial.index, status=TrialStatus.RUNNING, reason=None)
        if found is None:
            try:
                self.backend.start(run_id=trial.run_id or "", config=trial.config)
            except ValueError as refused:  # this trial's config or data, not the sweep's
                reason = f"its run was refused: {' '.join(str(refused).split())}"
                self.awaiting[trial.index] = Ended(None, TrialStatus.FAILED, reason)
                return
        self.running[trial.index] = time.monotonic()

    def _look(self) -> bool:
        changed = False
        for index, started in list(self.running.items()):
            trial = self.record.trials[index]
            assert trial.run_id is not None
            progress = self.backend.progress(trial.run_id)
            if progress.status is None and time.monotonic() - started > self.stall_after:
                never = f"its run never started: no record {self.stall_after:g} s after it"
                progress = TrialProgress(None, 0, stalled=never)
            if progress.epoch != trial.epochs_done:
                self._update(index, epochs_done=progress.epoch)
                self._follow(index)
                changed = True
            if progress.ended:
                self._end(index, progress)
                changed = True
        return changed

    def _follow(self, index: int) -> None:
        now = time.monotonic()
        if (
            self.follow_every is not None
            and now - self._read_at.get(index, 0.0) >= self.follow_every
        ):
            self._read_at[index] = now
            self._read_on(index)

    def _read_on(self, index: int) -> None:
        """Add the epochs the trial completed since the last read to its history."""
        run_id = self.record.trials[index].run_id
        assert run_id is not None
        known = self.histories.get(index, [])
        after = known[-1].epoch if known else 0
        self.histories[index] = [*known, *self.backend.history(run_id, after=after)]

    def _end(self, index: int, progress: TrialProgress) -> None:
        started = self.running.pop(index)
        run_id = self.record.trials[index].run_id
        assert run_id is not None
        if progress.stalled is not None:  # stuck runs hold their functions: stop them
            self.backend.cancel(run_id, progress.stalled)
        result = None if progress.status is None else self.backend.result(run_id, progress)
        if result is not None:
            self.histories[index] = result.history
            self._update(index, **reached(result))
        self._update(index, elapsed_s=round(time.monotonic() - started, 3))
        if progress.stalled is not None or result is None:
            self.awaiting[index] = Ended(result, TrialStatus.FAILED, progress.stalled)
        else:
            assert progress.status is not None
            self.awaiting[index] = Ended(result, _ENDED[progress.status], result.reason)

    # --- the halving ---------------------------------------------------------------------

    def _score(self, index: int, rung: int) -> RungScore:
        trial = self.record.trials[index]
        dropped = self.drops.get(index, (trial.stopped_at, None))[0]
        if trial.config.epochs <= rung or (dropped is not None and rung > dropped):
            return SHORT  # it ends, or was dropped, before this rung
        if rung in trial.rung_scores:
            return trial.rung_scores[rung]
        if trial.status.is_final:
            return SHORT  # a final trial has each score it reached recorded
        ended = index in self.awaiting
        if index in self.running and trial.epochs_done >= rung:
            self._read_on(index)
        elif not ended:
            return NOT_YET
        metric, history = self.record.metric, self.histories.get(index, [])
        score = rung_score(history, rung, metric, epochs=trial.config.epochs, ended=ended)
        if isinstance(score, float):
            self._update(index, rung_scores={**trial.rung_scores, rung: score})
        return score

    def _halve(self) -> bool:
        halving = self.record.halving
        if halving is None:
            return False
        candidates = sorted({*self.running, *self.awaiting})
        metric = self.record.metric
        given = judge_due(candidates, halving, metric, self._score, self.verdicts, self.drops)
        changed = False
        for index, rung, verdict, score in given:
            changed = True
            if not verdict.keep:
                self._drop(index, rung, verdict.reason(rung, metric, score))
        return changed

    def _drop(self, index: int, rung: int, reason: str) -> None:
        self.drops[index] = (rung, reason)
        run_id = self.record.trials[index].run_id
        if index in self.running and run_id is not None:
            self.backend.cancel(run_id, reason)

    def _settled(self, index: int) -> bool:
        halving = self.record.halving
        return halving is None or settled(index, halving, self.verdicts, self._score)

    def _finalize(self) -> bool:
        done = [index for index in sorted(self.awaiting) if self._settled(index)]
        for index in done:
            ended = self.awaiting.pop(index)
            status, reason, rung = ended.status, ended.reason, None
            if index in self.drops:
                rung, reason = self.drops[index]
                if status != TrialStatus.CANCELLED:  # it ended before the cancel came
                    reason += f"; it had ended already ({status.value.lower()})"
                status = TrialStatus.STOPPED
            self._update(index, status=status, reason=reason, stopped_at=rung)
            if self.on_trial_end is not None:
                self.on_trial_end(self.record.trials[index], ended.result)
        return bool(done)

    def _interrupt(self) -> None:
        """Cancel what runs; what has ended and can be final is; the rest, CANCELLED, runs
        again when the sweep is resumed."""
        self._finalize()
        for index in list(self.running):
            run_id = self.record.trials[index].run_id
            assert run_id is not None
            self.backend.cancel(run_id, INTERRUPTED)
            self.running.pop(index)
            self._update(index, status=TrialStatus.CANCELLED, reason=INTERRUPTED)
        for index in list(self.awaiting):
            self.awaiting.pop(index)
            self._update(index, status=TrialStatus.CANCELLED, reason=INTERRUPTED)

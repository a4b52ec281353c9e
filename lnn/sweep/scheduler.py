"""The sweep's loop, the same on every engine: start trials in sweep order while fewer than
the concurrency run, look at them, judge them at the halving's rungs, stop the ones the
halving drops, collect each one as it ends, and keep the record up to date in its stores.

A trial is final (recorded SUCCEEDED, FAILED or STOPPED, its outputs written) once it has
ended and has its verdict at every rung it reached: a sweep that dies is resumed from its
record, and runs again exactly the trials that were not final (lnn.sweep.plan.resume_sweep)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from lnn.engines.base import StopCheck, TrainingResult
from lnn.sweep.base import TrialBackend, TrialProgress
from lnn.sweep.halving import (
    NOT_YET,
    SHORT,
    RungScore,
    Verdicts,
    judge_due,
    rung_score,
    settled,
)
from lnn.sweep.ranking import best_trial
from lnn.sweep.results import reached
from lnn.sweep.store import SweepStore
from lnn.sweep.types import SweepRecord, TrialRecord, TrialStatus, trial_run_id
from messages.status import STALL_AFTER_S, HistoryEntry, RunStatus

__all__ = ["INTERRUPTED", "Scheduler", "TrialEnded"]

# Called once per trial when it becomes final, with what its run left (None for a trial
# that never started): the sweep writes its run directory there.
TrialEnded = Callable[[TrialRecord, TrainingResult | None], None]
Changed = Callable[[SweepRecord, dict[int, list[HistoryEntry]]], None]
INTERRUPTED = "the sweep was interrupted by Ctrl-C: resume it with the same --sweep-id"
_ENDED = {
    RunStatus.SUCCEEDED: TrialStatus.SUCCEEDED,
    RunStatus.FAILED: TrialStatus.FAILED,
    RunStatus.CANCELLED: TrialStatus.CANCELLED,
}


def _now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    def __init__(
        self,
        record: SweepRecord,
        backend: TrialBackend,
        stores: Sequence[SweepStore],
        *,
        on_trial_end: TrialEnded | None = None,
        on_change: Changed | None = None,
        stop: StopCheck | None = None,
        poll_s: float = 0.25,
        stall_after: float = STALL_AFTER_S,
        follow_histories: bool = False,
    ) -> None:
        self.record, self.backend, self.stores = record, backend, stores
        self.on_trial_end, self.on_change, self.stop = on_trial_end, on_change, stop
        self.poll_s, self.stall_after = poll_s, stall_after
        # The live page draws running trials' curves: their new epochs are read as they come.
        self.follow_histories = follow_histories
        self.running: dict[int, float] = {}  # index -> when it was started
        self.ended: dict[int, TrainingResult | None] = {}  # ended, awaiting verdicts
        self.histories: dict[int, list[HistoryEntry]] = {}
        self.stops: dict[int, tuple[int, str]] = {}  # index -> (rung, reason)
        self.verdicts: Verdicts = {}

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> SweepRecord:
        """Run every trial that is not final; the record as it ends (CANCELLED trials when
        ``stop`` said so)."""
        self._save()
        try:
            while True:
                if self.stop is not None and self.stop():
                    self._interrupt()
                    break
                self._fill()
                if not self.running and not self.ended:
                    break
                self.backend.advance(self.poll_s)
                changed = self._look()
                changed |= self._halve()
                changed |= self._finalize()
                if changed:
                    self._save()
        finally:
            self.backend.close()
        best = best_trial(self.record.trials, self.record.metric)
        self._set(best=best)
        self._save()
        return self.record

    def _fill(self) -> None:
        waiting = [
            t
            for t in self.record.trials
            if not t.status.is_final and t.index not in self.running and t.index not in self.ended
        ]
        for trial in waiting:
            if len(self.running) >= self.record.concurrency:
                return
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
        if found is None:
            try:
                self.backend.start(run_id=trial.run_id or "", config=trial.config)
            except ValueError as refused:  # this trial's config or data, not the sweep's
                reason = f"its run was refused: {' '.join(str(refused).split())}"
                self._update(trial.index, status=TrialStatus.FAILED, reason=reason)
                self.ended[trial.index] = None
                return
        self.running[trial.index] = time.monotonic()
        self._update(trial.index, status=TrialStatus.RUNNING, reason=None)

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
                if self.follow_histories:
                    self._read_on(index)
                changed = True
            if progress.ended:
                self._end(index, progress)
                changed = True
        return changed

    def _read_on(self, index: int) -> None:
        """Add the epochs the trial completed since the last read to its history."""
        run_id = self.record.trials[index].run_id
        assert run_id is not None
        known = self.histories.get(index, [])
        after = known[-1].epoch if known else 0
        self.histories[index] = [*known, *self.backend.history(run_id, after=after)]

    def _end(self, index: int, progress: TrialProgress) -> None:
        started = self.running.pop(index)
        trial = self.record.trials[index]
        assert trial.run_id is not None
        result = None if progress.status is None else self.backend.result(trial.run_id, progress)
        if result is not None:
            self.histories[index] = result.history
        if progress.stalled is not None:
            status, reason = TrialStatus.FAILED, progress.stalled
        else:
            assert progress.status is not None and result is not None
            status, reason = _ENDED[progress.status], result.reason
        self._update(
            index,
            status=status,
            reason=reason,
            elapsed_s=round(time.monotonic() - started, 3),
            **({} if result is None else reached(result)),
        )
        self.ended[index] = result

    # --- the halving ---------------------------------------------------------------------

    def _score(self, index: int, rung: int) -> RungScore:
        trial = self.record.trials[index]
        if rung in trial.rung_scores:
            return trial.rung_scores[rung]
        if trial.config.epochs <= rung or trial.status.is_final:
            return SHORT  # a final trial has each score it reached recorded
        if index in self.ended:
            history = self.histories.get(index, [])
        elif index in self.running and trial.epochs_done >= rung:
            self._read_on(index)
            history = self.histories[index]
        else:
            return NOT_YET
        score = rung_score(
            history,
            rung,
            self.record.metric,
            epochs=trial.config.epochs,
            ended=index in self.ended,
        )
        if isinstance(score, float):
            self._update(index, rung_scores={**trial.rung_scores, rung: score})
        return score

    def _halve(self) -> bool:
        halving = self.record.halving
        if halving is None:
            return False
        candidates = sorted({*self.running, *self.ended})
        metric = self.record.metric
        given = judge_due(candidates, halving, metric, self._score, self.verdicts, self.stops)
        changed = False
        for index, rung, verdict, score in given:
            changed = True
            if not verdict.keep:
                self._drop(index, rung, verdict.reason(rung, metric, score))
        return changed

    def _drop(self, index: int, rung: int, reason: str) -> None:
        self.stops[index] = (rung, reason)
        run_id = self.record.trials[index].run_id
        if index in self.running and run_id is not None:
            self.backend.stop(run_id, reason)

    def _settled(self, index: int) -> bool:
        halving = self.record.halving
        return halving is None or settled(index, halving, self.verdicts, self._score)

    def _finalize(self) -> bool:
        done = [index for index in sorted(self.ended) if self._settled(index)]
        for index in done:
            result = self.ended.pop(index)
            trial = self.record.trials[index]
            if index in self.stops:
                rung, reason = self.stops[index]
                if trial.status != TrialStatus.CANCELLED:  # it ended before the stop came
                    reason += f"; it had ended already ({trial.status.value.lower()})"
                self._update(index, status=TrialStatus.STOPPED, stopped_at=rung, reason=reason)
            if self.on_trial_end is not None:
                self.on_trial_end(self.record.trials[index], result)
        return bool(done)

    def _interrupt(self) -> None:
        for index in list(self.running):
            run_id = self.record.trials[index].run_id
            assert run_id is not None
            self.backend.stop(run_id, INTERRUPTED)
            self.running.pop(index)
            self._update(index, status=TrialStatus.CANCELLED, reason=INTERRUPTED)
        for index in list(self.ended):  # not final: resuming runs them again
            self.ended.pop(index)
            self._update(index, status=TrialStatus.CANCELLED, reason=INTERRUPTED)

    # --- the record ----------------------------------------------------------------------

    def _update(self, index: int, **fields: object) -> None:
        trials = list(self.record.trials)
        trials[index] = trials[index].model_copy(update=fields)
        self._set(trials=trials)

    def _set(self, **fields: object) -> None:
        self.record = self.record.model_copy(update={**fields, "updated_at": _now()})

    def _save(self) -> None:
        for store in self.stores:
            store.save(self.record)
        if self.on_change is not None:
            self.on_change(self.record, self.histories)

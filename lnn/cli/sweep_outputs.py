"""What `lnn sweep` writes as it goes: each trial's run directory once the trial is final
(its report sharing the sweep's one copy of plotly.js), the sweep's report.html again after
each, the live page's view at each change; and at the end the best trial's model as the
sweep's, the report, and the TensorBoard experiment when asked."""

from __future__ import annotations

import shutil
from pathlib import Path

from lnn.cli.progress import SweepProgress
from lnn.cli.sweep_status import trial_line
from lnn.engines.base import TrainingResult
from lnn.outputs import write_run
from lnn.prepare import PreparedData
from lnn.runs import MODEL_FILE
from lnn.sweep.keeper import Histories
from lnn.sweep.store import trial_history
from lnn.sweep.types import SweepRecord, TrialRecord, TrialStatus, trial_dir
from lnn.watch.page import PLOTLY_FILE
from lnn.watch.sweep import SweepView, write_sweep_report
from messages.status import HistoryEntry

__all__ = ["SweepOutputs"]


class SweepOutputs:
    def __init__(
        self,
        out: Path,
        data: PreparedData,
        classes: list[str],
        engine: str,
        *,
        view: SweepView | None = None,
        quiet: bool = False,
        progress: SweepProgress | None = None,
    ) -> None:
        self.out, self.data, self.classes, self.engine = out, data, classes, engine
        self.view, self.quiet = view, quiet
        self.progress = progress or SweepProgress(enabled=False)
        self.report_due = True
        self.on_disk: dict[int, list[HistoryEntry]] = {}  # histories the trials' files hold

    def trial_ended(self, trial: TrialRecord, result: TrainingResult | None) -> None:
        if result is not None:
            write_run(
                trial_dir(self.out, trial.index),
                result,
                trial.config,
                self.data,
                self.classes,
                engine=self.engine,
                elapsed_s=trial.elapsed_s,
                shared_script=self.out / PLOTLY_FILE,
            )
        self.report_due = True
        if not self.quiet:
            self.progress.say(trial_line(trial))

    def changed(self, record: SweepRecord, live: Histories) -> None:
        trials = record.trials
        self.progress.show(
            epochs_done=sum(t.epochs_done for t in trials),
            epochs=sum(t.config.epochs for t in trials),
            final=sum(t.status.is_final for t in trials),
            running=sum(t.status == TrialStatus.RUNNING for t in trials),
            trials=len(trials),
        )
        if self.report_due:
            write_sweep_report(self.out, record)
            self.report_due = False
        if self.view is not None:
            self.view.update(record, self.histories(record, live))

    def histories(self, record: SweepRecord, live: Histories) -> dict[int, list[HistoryEntry]]:
        """Each trial's history: as the sweep read it, else (a trial a resumed sweep found
        final) from its run directory, read once."""
        histories: dict[int, list[HistoryEntry]] = {}
        for trial in record.trials:
            if trial.index in live:
                histories[trial.index] = list(live[trial.index])
                continue
            if trial.status.is_final and trial.index not in self.on_disk:
                self.on_disk[trial.index] = trial_history(self.out, trial.index)
            histories[trial.index] = self.on_disk.get(trial.index, [])
        return histories

    def finish(self, record: SweepRecord, live: Histories) -> dict[int, list[HistoryEntry]]:
        """The best trial's model becomes the sweep's; the report is written whole. Each
        trial's history, for what comes after (TensorBoard)."""
        if record.best is not None:
            model = trial_dir(self.out, record.best) / MODEL_FILE
            if model.exists():
                shutil.copyfile(model, self.out / MODEL_FILE)
        write_sweep_report(self.out, record)
        histories = self.histories(record, live)
        if self.view is not None:
            self.view.update(record, histories)
        return histories

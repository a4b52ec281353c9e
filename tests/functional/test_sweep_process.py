"""`lnn sweep` as a user runs it: its live page follows the sweep to its end and links each
trial's report; Ctrl-C stops it keeping the trials done, exit 130, and the same command
resumes it, running only the trials that were not done."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from served import REPO, child_env

from lnn.sweep.store import DirectorySweepStore
from lnn.sweep.types import SweepRecord, TrialStatus, trial_dir

TIMEOUT_S = 240
SWEEP = [
    "sweep", "--dataset", "moons", "--samples", "100", "--layers", "4:tanh,1:sigmoid",
    "--search", "lr=log:1e-2:1", "--trials", "3", "--concurrency", "1",
]  # fmt: skip


class Sweep:
    """`lnn sweep ARGS` in a child process, its stderr read as it comes."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lnn.cli.main", *SWEEP, *args],
            cwd=REPO,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.err += line

    def wait_for(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + TIMEOUT_S
        while (found := re.search(pattern, self.err)) is None:
            assert self.process.poll() is None or re.search(pattern, self.err), self.err
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.err}"
            time.sleep(0.1)
        return found

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=TIMEOUT_S)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def _record(out: Path) -> SweepRecord:
    record = DirectorySweepStore(out).held()
    assert record is not None
    return record


def test_the_live_page_follows_the_sweep_and_links_each_trial(tmp_path: Path) -> None:
    sweep = Sweep("--epochs", "20", "--out", str(tmp_path), "--watch", "--no-browser")
    url = sweep.wait_for(r"watching at (http://\S+)").group(1)
    sweep.wait_for("the sweep ended")
    document: dict[str, Any] = json.loads(_get(url + "api/sweep"))
    rows = document["table"]["rows"]
    assert [row["status"] for row in rows] == ["SUCCEEDED"] * 3
    report = _get(url + "trials/t01/report.html").decode()
    assert "<html" in report and "plotly.min.js" in report
    assert sweep.stop() == 0


# Epochs enough that Ctrl-C, sent once the first trial is done, lands while the next runs.
@pytest.mark.parametrize(("engine", "epochs"), [("reference", "3000"), ("embedded", "150")])
def test_ctrl_c_keeps_the_trials_done_and_the_same_command_resumes(
    tmp_path: Path, engine: str, epochs: str
) -> None:
    options = ("--epochs", epochs, "--engine", engine, "--out", str(tmp_path))
    sweep = Sweep(*options, "--sweep-id", "halted")
    sweep.wait_for("t00 SUCCEEDED")
    assert sweep.stop() == 130
    halted = _record(tmp_path)
    statuses = [t.status for t in halted.trials]
    assert statuses[0] == TrialStatus.SUCCEEDED
    assert TrialStatus.CANCELLED in statuses or TrialStatus.PENDING in statuses, statuses
    kept = (trial_dir(tmp_path, 0) / "model.npz").stat().st_mtime_ns

    again = Sweep(*options, "--sweep-id", "halted")
    assert again.process.wait(timeout=TIMEOUT_S) == 0, again.err
    assert "resuming sweep halted" in again.err
    done = _record(tmp_path)
    assert [t.status for t in done.trials] == [TrialStatus.SUCCEEDED] * 3
    assert (trial_dir(tmp_path, 0) / "model.npz").stat().st_mtime_ns == kept
    assert [t.params for t in done.trials] == [t.params for t in halted.trials]

"""Ctrl-C during `lnn train` keeps what was trained: `--out` gets the history so far, the
latest model, the telemetry and the report, one line says where, and the exit code is 130.
Progress is read from what the process shows (its progress bar on a terminal, or its page),
so the signal lands mid-run however slow the machine."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from served import FAKE_AWS, REPO, child_env, lnn_up

from lnn.bench.workload import max_abs_diff
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.engines.stack import train_on_stack
from lnn.model_file import load_model
from lnn.prepare import prepare, split
from messages.status import HistoryEntry
from messages.train_request import TrainConfig

TIMEOUT_S = 240
KEPT = ("history.json", "model.npz", "telemetry.jsonl", "report.html")
TRAIN = ["train", "--dataset", "moons", "--layers", "6:tanh,1:sigmoid", "--lr", "0.5"]


class Terminal:
    """`lnn ARGS` with its stdout on a pseudo-terminal (so it draws its progress bar) and its
    stderr collected; both read by threads as they come."""

    def __init__(self, *args: str) -> None:
        main, child = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lnn.cli.main", *args],
            cwd=REPO,
            env={**child_env(), "COLUMNS": "120"},
            stdout=child,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(child)
        self.out, self.err = "", ""
        threading.Thread(target=self._read_out, args=(main,), daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self, fd: int) -> None:
        try:
            while chunk := os.read(fd, 4096):
                self.out += chunk.decode(errors="replace")
        except OSError:  # the terminal closed: the process has gone
            pass

    def _read_err(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.err += line

    def wait_for(self, what: str, found: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not found():
            assert self.process.poll() is None, f"exited before {what}:\n{self.err}"
            assert time.monotonic() < deadline, f"no {what} after {TIMEOUT_S} s:\n{self.err}"
            time.sleep(0.2)

    def epochs_shown(self) -> int:
        """The last epoch count its progress bar drew (``12/5000``)."""
        counts = re.findall(r"(\d+)/\d+", self.out)
        return int(counts[-1]) if counts else 0

    def interrupt(self) -> None:
        self.process.send_signal(signal.SIGINT)

    def finish(self) -> int:
        try:
            return self.process.wait(timeout=TIMEOUT_S)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def check_kept(out: Path, terminal: Terminal, after: int) -> list[dict[str, Any]]:
    """What was trained is in ``out``, and stderr says so in one line; the history."""
    for name in KEPT:
        assert (out / name).is_file(), f"{name} missing:\n{terminal.err}"
    history = json.loads((out / "history.json").read_text())
    assert len(history) >= after and [h["epoch"] for h in history] == list(
        range(1, len(history) + 1)
    )
    where = [line for line in terminal.err.splitlines() if "what it trained is in" in line]
    assert len(where) == 1 and where[0].startswith("lnn: interrupted by Ctrl-C in epoch")
    assert where[0].endswith(str(out))
    assert "status: CANCELLED" in terminal.out.replace("\r", "")
    assert load_model(out / "model.npz").params  # a model the CLI can predict with
    return history


@pytest.mark.parametrize("engine", ["reference", "embedded"])
def test_ctrl_c_keeps_what_was_trained(engine: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    epochs = "100000" if engine == "reference" else "2000"
    terminal = Terminal(*TRAIN, "--epochs", epochs, "--engine", engine, "--out", str(out))
    terminal.wait_for("progress", lambda: terminal.epochs_shown() >= 3)
    terminal.interrupt()
    assert terminal.finish() == 130, terminal.err
    history = check_kept(out, terminal, after=3)
    assert len(history) < int(epochs)
    if engine == "embedded":
        assert (out / "spans.jsonl").is_file()


def test_ctrl_c_with_the_page_keeps_the_run_and_the_page(tmp_path: Path) -> None:
    """`--watch`: the first Ctrl-C stops the run (the page says CANCELLED and stays), the
    second closes the page."""
    out = tmp_path / "run"
    args = [*TRAIN, "--epochs", "2000", "--shards", "2", "--out", str(out)]
    terminal = Terminal(*args, "--watch", "--no-browser")
    terminal.wait_for("the page", lambda: "watching at" in terminal.err)
    url = terminal.err.split("watching at ", 1)[1].split()[0]

    def status() -> dict[str, Any]:
        with urllib.request.urlopen(url + "api/document", timeout=10) as response:
            return dict(json.loads(response.read())["status"])

    terminal.wait_for("epochs on the page", lambda: status()["epoch"] >= 3)
    terminal.interrupt()
    terminal.wait_for("the page to stay", lambda: "the page stays at" in terminal.err)
    shown = status()
    assert shown["status"] == "CANCELLED" and "Ctrl-C" in shown["reason"]
    terminal.interrupt()
    assert terminal.finish() == 130, terminal.err
    history = check_kept(out, terminal, after=3)
    assert shown["epoch"] == len(history)


def test_an_embedded_run_stopped_after_k_steps_equals_the_k_step_reference() -> None:
    """The model kept is the stack's parameters after its last claimed step: the same
    arrays the reference engine has after as many steps, with the same history. Every
    epoch is evaluated, so the stop usually lands while an evaluation is in flight: the
    epoch it records is kept."""
    layers = [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="moons", layers=layers, epochs=200, lr=0.5, shards=2, eval_every=1)
    data = prepare(load_dataset("moons", samples=80), layers)
    seen: list[HistoryEntry] = []
    result = train_on_stack(config, data, on_epoch=seen.append, stop=lambda: len(seen) >= 4)
    assert result.status == "CANCELLED" and result.steps is not None
    assert 4 <= result.steps < config.epochs
    assert (
        result.reason == f"interrupted by Ctrl-C in epoch {result.steps}, after step {result.steps}"
    )
    assert [h.epoch for h in result.history] == list(range(1, result.steps + 1))
    assert {r.step for r in result.telemetry} == set(range(1, result.steps + 1))
    assert result.spans
    columns = split(data, holdout=0.0, seed=config.seed)
    asked = iter(range(10**9))
    same = train_reference(config, columns, stop=lambda: next(asked) >= result.steps)
    for ours, theirs in zip(result.history, same.history, strict=True):
        assert ours.cost == pytest.approx(theirs.cost, abs=1e-9)
        assert ours.train_accuracy == theirs.train_accuracy is not None
    assert result.final_cost == pytest.approx(same.final_cost, abs=1e-9)
    assert result.train_accuracy == same.train_accuracy
    assert max_abs_diff(result.params, same.params) <= 1e-9


def test_an_endpoint_run_stopped_is_cancelled_on_its_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a stack served elsewhere (`lnn up`) the run is cancelled as `lnn cancel` does: its
    record says CANCELLED with the reason, and what it trained comes back all the same."""
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="moons", layers=layers, epochs=400, lr=0.5)
    data = prepare(load_dataset("moons", samples=60), layers)
    with lnn_up(tmp_path) as served:
        client = served.deploy(tmp_path)
        seen: list[HistoryEntry] = []
        result = train_on_stack(
            config,
            data,
            engine="endpoint",
            endpoint_url=served.endpoint_url,
            on_epoch=seen.append,
            stop=lambda: len(seen) >= 3,
        )
        record = client.require_record(result.run_id)
    assert result.status == record.status.value == "CANCELLED"
    assert record.reason is not None and record.reason.startswith("interrupted by Ctrl-C")
    assert result.steps is not None and 3 <= result.steps < config.epochs
    assert [h.epoch for h in result.history] == list(range(1, len(result.history) + 1))
    assert len(result.params) == 2 and result.telemetry and result.spans

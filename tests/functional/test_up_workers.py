"""`lnn up --workers N`: N runner processes on one emulator race for the same barriers,
and the runs they serve together equal each run trained alone; workers live and die
with `lnn up`, and one that crashes is replaced."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from served import lnn_up
from test_engine_equality import CASES, assert_same

from infra.local.workers import WorkerPool, WorkerStartError
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.engines.results import fetch_result
from lnn.layer_text import parse_layers
from lnn.prepare import prepare, split
from messages.status import RunStatus
from messages.train_request import TrainConfig

RUN_TIMEOUT_S = 600  # four runs share one emulator on a 2-core machine shared with others
WAIT_S = 60
SEEDS = (1, 2, 3, 4)


# Adam, L2, dropout, mini-batches and dev evaluations; small, to keep the queues shallow.
CASE = dict(CASES["deep-adam-l2-dropout-minibatch"])
DATASET, LAYERS = CASE.pop("dataset"), parse_layers(CASE.pop("layers"))


def config(seed: int) -> TrainConfig:
    """The case with both hidden layers in two shards, from its own initial draw."""
    return TrainConfig(dataset=DATASET, layers=LAYERS, shards=2, **(CASE | {"seed": seed}))


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def eventually(predicate: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        assert time.monotonic() < deadline, f"{what} after {WAIT_S} s"
        time.sleep(0.1)


CHAOS = "duplicate=0.2,crash-before=0.03,crash-after=0.03,throttle=0.03,timeout=0.05,seed=5"


@pytest.mark.parametrize("chaos", [(), ("--chaos", CHAOS)], ids=["clean", "chaos"])
def test_four_workers_race_four_runs_to_the_models_of_runs_alone(
    tmp_path: Path, chaos: tuple[str, ...]
) -> None:
    data = prepare(load_dataset(DATASET), LAYERS)
    with lnn_up(tmp_path, "--workers", "4", *chaos) as served:
        assert len(set(served.pids)) == 4
        client = served.deploy(tmp_path, max_depth=3)
        requests = {seed: client.start(config(seed), data) for seed in SEEDS}  # all at once
        results = {}
        for seed, request in requests.items():
            record = client.wait(request.run_id, timeout=RUN_TIMEOUT_S, poll=0.5)
            assert record.status is RunStatus.SUCCEEDED, record.reason
            results[seed] = fetch_result(client, request.run_id, record)
    for seed, network in results.items():
        columns = split(data, holdout=config(seed).holdout, seed=config(seed).seed)
        assert_same(train_reference(config(seed), columns), network)
    assert served.returncode == 0
    # The races were real: several processes took shard tasks of the same layers.
    neurons = [r["stats"]["functions"].get("lnn-neuron", {}) for r in served.reports]
    assert sum(1 for n in neurons if n.get("records", 0) > 0) >= 2, served.reports
    assert all(r["restarts"] == 0 for r in served.reports)
    if chaos:  # the faults were real too: processes died and batches came back
        deaths = [
            sum(f.get("process_deaths", 0) for f in r["stats"]["functions"].values())
            for r in served.reports
        ]
        assert sum(deaths) >= 8, served.reports


def test_a_killed_worker_is_replaced_and_none_outlives_lnn_up(tmp_path: Path) -> None:
    with lnn_up(tmp_path, "--workers", "2") as served:
        victim, survivor = served.pids
        os.kill(victim, signal.SIGKILL)
        pattern = rf"worker 1 \(pid {victim}\) died \(killed by signal 9\); restarted as pid (\d+)"
        eventually(lambda: re.search(pattern, served.log_text()), "no restart reported")
        replacement = int(re.search(pattern, served.log_text()).group(1))  # type: ignore[union-attr]
        assert alive(replacement) and alive(survivor)
    assert served.returncode == 0
    assert [(r["worker"], r["pid"], r["restarts"]) for r in served.reports] == [
        (1, replacement, 1),
        (2, survivor, 0),
    ]
    assert not alive(replacement) and not alive(survivor)


def test_workers_stop_when_lnn_up_dies_without_a_word(tmp_path: Path) -> None:
    with lnn_up(tmp_path, "--workers", "2") as served:
        assert all(alive(pid) for pid in served.pids)
        served.process.kill()  # SIGKILL: no handler runs, only the pipes close
        served.process.wait()
        eventually(lambda: not any(alive(pid) for pid in served.pids), "workers still running")
    assert served.returncode == -signal.SIGKILL and served.reports == []


def test_ctrl_c_stops_lnn_up_and_its_workers(tmp_path: Path) -> None:
    with lnn_up(tmp_path, "--workers", "2") as served:
        # A terminal's Ctrl-C reaches the whole process group.
        for pid in [served.process.pid, *served.pids]:
            os.kill(pid, signal.SIGINT)
        served.process.wait(timeout=WAIT_S)
    assert served.returncode == 0
    # Each finished cleanly (stats sent), none was restarted: Ctrl-C is lnn up's to handle.
    assert [(r["pid"], r["restarts"]) for r in served.reports] == [(p, 0) for p in served.pids]
    assert all(r["stats"] is not None for r in served.reports)
    assert not any(alive(pid) for pid in served.pids)


def test_a_worker_that_cannot_start_fails_the_pool() -> None:
    pool = WorkerPool("http://127.0.0.1:9", 2, runner_options={"concurrency": 0})
    try:
        with pool:
            raise AssertionError("a pool with broken workers started")
    except WorkerStartError as exc:
        assert "exited before it was ready" in str(exc)
    assert not any(alive(pid) for pid in pool.pids)

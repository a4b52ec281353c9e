"""One lnn command in a child process of its own: its wall time, its peak memory (the
maximum resident set size the kernel reports for it, what ``/usr/bin/time -v`` prints) and
the JSON object its last line of output holds."""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lnn.bench.exceptions import EngineRunFailedError

# One BLAS thread in each child unless the caller's environment says otherwise: two engines
# timed on a shared machine, neither with threads that spin for a busy core.
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1"}
CHILD_TIMEOUT_S = 4 * 3600.0  # today's full-size embedded epoch takes some 6 minutes


@dataclass(frozen=True)
class ChildRun:
    argv: list[str]
    wall_s: float
    peak_rss_bytes: int
    output: dict[str, object]  # the command's --json line

    @property
    def peak_rss_gb(self) -> float:
        return self.peak_rss_bytes / 1e9


def child_env() -> dict[str, str]:
    """This process's environment with CHILD_ENV's defaults under it."""
    return {**CHILD_ENV, **os.environ}


def _last_json(text: str) -> dict[str, object]:
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if not lines:
        raise EngineRunFailedError("the command printed no JSON line")
    found = json.loads(lines[-1])
    if not isinstance(found, dict):
        raise EngineRunFailedError("the command's last JSON line is not an object")
    return found


def run_lnn(args: Sequence[str], log_dir: Path, name: str) -> ChildRun:
    """``lnn ARGS --json`` in a child, its output in ``log_dir/NAME.{out,err}``; a child that
    fails, or outlives CHILD_TIMEOUT_S (then killed), raises EngineRunFailedError."""
    argv = [sys.executable, "-m", "lnn.cli.main", *args, "--json"]
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=child_env())
        killer = threading.Timer(CHILD_TIMEOUT_S, child.kill)
        killer.start()
        try:
            # wait4, not wait: its rusage is this child's alone, children of earlier runs
            # not mixed in as RUSAGE_CHILDREN would.
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if wall >= CHILD_TIMEOUT_S:
        raise EngineRunFailedError(f"{name} was stopped after {CHILD_TIMEOUT_S:.0f} s")
    if child.returncode != 0:
        tail = " ".join(err_path.read_text(errors="replace").split()[-30:])
        raise EngineRunFailedError(f"{name} exited {child.returncode}: {tail}")
    # ru_maxrss is in kilobytes on Linux.
    return ChildRun(argv, wall, usage.ru_maxrss * 1024, _last_json(out_path.read_text()))

"""`lnn up` as a subprocess for tests: any extra `lnn up` arguments, always stopped.

`with lnn_up(tmp_path, "--workers", "4") as served:` waits for the ready line, gives the
endpoint and the worker pids; after the block (SIGTERM, unless the test stopped it) it
holds the exit code and each worker's report (pid, restarts, runner stats) from the line
`lnn up --json` prints when it stops.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from lnn.cli.deploy import deploy
from lnn.client import StackClient

REPO = Path(__file__).resolve().parents[2]
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
START_TIMEOUT_S = 120  # generous: workers import numpy, boto3 and moto on a shared machine
STOP_TIMEOUT_S = 90


def child_env() -> dict[str, str]:
    """This environment without AWS or LNN settings, plus fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LNN_"))}
    return {**env, **FAKE_AWS}


def tiny_bundle(path: Path) -> Path:
    """`lnn up` imports the handlers from this checkout, so the zip's content is not run;
    a tiny one spares the bundle build (tests/functional/test_bundle.py covers that)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("functions/handlers/__init__.py", "")
    return path


def session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


@dataclass
class Served:
    endpoint_url: str
    pids: list[int]
    process: subprocess.Popen[str]
    log: Path
    reports: list[dict[str, Any]] = field(default_factory=list)
    returncode: int | None = None

    def log_text(self) -> str:
        return self.log.read_text()

    def deploy(self, tmp_path: Path, *, max_depth: int = 2) -> StackClient:
        """The stack deployed to this endpoint (in this process, with a tiny bundle)."""
        bundle = tiny_bundle(tmp_path / "bundle.zip")
        url = self.endpoint_url
        deploy(stack="lnn", session=session(), endpoint_url=url, max_depth=max_depth, bundle=bundle)
        return StackClient.connect(stack="lnn", session=session(), endpoint_url=url)


def _lines(stream: Any, into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)  # end of output: the process has gone


def _next_json(lines: queue.Queue[str | None], timeout: float) -> dict[str, Any] | None:
    """The next JSON line `lnn up` prints; None if its output ended first."""
    try:
        while (line := lines.get(timeout=timeout)) is not None:
            if line.startswith("{"):
                return json.loads(line)
    except queue.Empty:
        raise AssertionError(f"lnn up printed nothing for {timeout} s") from None
    return None


@contextmanager
def lnn_up(tmp_path: Path, *args: str) -> Iterator[Served]:
    """`lnn up --port 0 --json *args`, stopped with SIGTERM (killed if it hangs) at the end."""
    log = tmp_path / "up.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "lnn.cli.main", "up", "--port", "0", "--json", *args],
            cwd=REPO,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        ready = _next_json(lines, START_TIMEOUT_S)
        assert ready is not None, f"lnn up exited before it served:\n{log.read_text()}"
        served = Served(ready["endpoint_url"], ready["workers"], process, log)
        yield served
        if process.poll() is None:  # unless the test stopped it some other way
            process.send_signal(signal.SIGTERM)
        stopped = _next_json(lines, STOP_TIMEOUT_S)  # None: it died without a word
        served.reports = stopped["workers"] if stopped else []
        served.returncode = process.wait(timeout=STOP_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        print(log.read_text()[-4000:])


def deploy_with_script(endpoint: str, tmp_path: Path, *options: str, max_depth: int = 2) -> str:
    """Deploy the stack at ``endpoint`` as a user would, with `scripts/deploy.py` and any
    further `options`; its stdout."""
    bundle = tiny_bundle(tmp_path / "bundle.zip")
    command = [sys.executable, "scripts/deploy.py", "--endpoint-url", endpoint, *options]
    done = subprocess.run(
        [*command, "--max-depth", str(max_depth), "--bundle", str(bundle)],
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout

"""`lnn up --workers N` as a bench contender: started in a child process on a free port,
its stack deployed with the project's sources (its workers import the handlers from this
checkout), stopped with SIGTERM at the end."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.bundle import build_source_bundle
from infra.stack.aws import make_session
from lnn.bench.exceptions import CaseUnavailableError
from lnn.client import StackClient

__all__ = ["served_stack"]

_START_TIMEOUT_S = 120  # lnn up says it serves (or exits) well within this
_STOP_TIMEOUT_S = 60


@contextmanager
def served_stack(workers: int, *, max_depth: int, stack: str = "bench") -> Iterator[StackClient]:
    from lnn.cli.deploy import deploy

    command = [sys.executable, "-m", "lnn.cli.main", "up", "--port", "0", "--json"]
    with tempfile.TemporaryDirectory(prefix="lnn-bench-up-") as tmp:
        log = Path(tmp) / "up.log"
        with log.open("w") as errors:
            process = subprocess.Popen(
                [*command, "--workers", str(workers)],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        try:
            assert process.stdout is not None
            readable, _, _ = select.select([process.stdout], [], [], _START_TIMEOUT_S)
            ready = process.stdout.readline() if readable else ""
            if not ready:
                raise CaseUnavailableError(f"lnn up did not start: {log.read_text()[-300:]}")
            url = json.loads(ready)["endpoint_url"]
            bundle = build_source_bundle(Path(tmp) / "source.zip")
            session = make_session(endpoint_url=url)
            deploy(
                stack=stack, session=session, endpoint_url=url, max_depth=max_depth, bundle=bundle
            )
            yield StackClient.connect(stack=stack, session=session, endpoint_url=url)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

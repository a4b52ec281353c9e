"""`lnn up` as a child process on a free loopback port, and the stack deployed into it by
`scripts/deploy.py`: what a user runs in two shells, shared by the HTTP acceptance tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def child_env() -> dict[str, str]:
    """This environment without AWS or LNN settings of its own, with fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LNN_"))}
    return {**env, **FAKE_AWS}


@contextmanager
def lnn_up(log_dir: Path) -> Iterator[str]:
    """`lnn up` on a free port, always stopped (its log's tail printed for a failed test)."""
    port = _free_port()
    path = log_dir / "up.log"
    log = path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "lnn.cli.main", "up", "--port", str(port)],
        cwd=REPO,
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            assert server.poll() is None, path.read_text()
            assert time.monotonic() < deadline, "lnn up did not listen within 30 s"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        print(path.read_text()[-4000:])


def deploy(endpoint: str, tmp_path: Path, *, max_depth: int = 2) -> str:
    """Deploy the stack at ``endpoint`` with `scripts/deploy.py`; its stdout.

    `lnn up` imports the handlers from this checkout, so the zip's content is not run; a tiny
    one spares the bundle build (tests/functional/test_bundle.py covers that)."""
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("functions/handlers/__init__.py", "")
    command = [sys.executable, "scripts/deploy.py", "--endpoint-url", endpoint]
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

"""What the LocalStack tests share beyond fixtures (imported by conftest.py and the tests)."""

from __future__ import annotations

import subprocess
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from served import Served, child_env, lnn_up

# Enough layers for every network the tests train; a shallow stack deploys in ~2 s.
MAX_DEPTH = 3


@dataclass(frozen=True)
class ServedStack:
    """A stack at LocalStack whose functions `lnn up --endpoint-url` serves in a process of
    its own: what a user without Docker runs."""

    endpoint_url: str
    stack: str
    env: dict[str, str]  # for clients in subprocesses (awscli, lnn): endpoint, credentials

    @classmethod
    def at(cls, endpoint_url: str, stack: str) -> ServedStack:
        return cls(endpoint_url, stack, {**child_env(), "AWS_ENDPOINT_URL": endpoint_url})

    def lnn(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lnn.cli.main", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def up(self, tmp_path: Path) -> AbstractContextManager[Served]:
        """`lnn up --endpoint-url --stack` serving this stack, stopped after the block."""
        return lnn_up(tmp_path, "--endpoint-url", self.endpoint_url, "--stack", self.stack)

"""What the LocalStack tests share beyond fixtures (imported by conftest.py and the tests)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

# Enough layers for every network the tests train; a shallow stack deploys in ~2 s.
MAX_DEPTH = 3


@dataclass(frozen=True)
class ServedStack:
    """A stack deployed at LocalStack with `lnn deploy --local-runner`, its functions served
    by `lnn up --endpoint-url` in a process of its own: what a user without Docker runs."""

    endpoint_url: str
    stack: str
    env: dict[str, str]  # for clients in subprocesses (awscli, lnn): endpoint, credentials

    def lnn(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lnn.cli.main", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

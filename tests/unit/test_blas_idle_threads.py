"""`import lnn` asks OpenBLAS for idle threads that sleep at once, before numpy loads it."""

from __future__ import annotations

import os
import subprocess
import sys


def _after_import(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import lnn, os, sys\n{code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_lnn_sets_the_openblas_thread_timeout_before_numpy_is_loaded() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    shown = _after_import(
        env, "print(os.environ['OPENBLAS_THREAD_TIMEOUT'], 'numpy' in sys.modules)"
    )
    assert shown == "4 False"


def test_a_users_own_openblas_thread_timeout_is_kept() -> None:
    env = {**os.environ, "OPENBLAS_THREAD_TIMEOUT": "20"}
    assert _after_import(env, "print(os.environ['OPENBLAS_THREAD_TIMEOUT'])") == "20"

"""The cat data for tests: a tiny file made on the spot, or the course's own when present.

The course's catvnoncat.npz is not in the repository. Loader and CLI tests use a small
file shaped like it; only checks of what the network learns from the real images need
the real file, and they skip (naming the file and LNN_DATA_DIR) where it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lnn.datasets import DatasetNotFoundError, load_dataset
from lnn.datasets.cat import CAT_NPZ, DATA_DIR_ENV


@pytest.fixture
def tiny_cat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$LNN_DATA_DIR pointed at a directory holding a tiny catvnoncat.npz; returns the file.

    The course file's keys and dtypes (uint8 images and labels, str classes), a few random
    64x64 images, both classes in each split.
    """
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    rng = np.random.default_rng(3)

    def images(m: int) -> np.ndarray:
        return rng.integers(0, 256, (m, 64, 64, 3), dtype=np.uint8)

    def labels(m: int) -> np.ndarray:
        return (np.arange(m) % 2).astype(np.uint8)  # both classes, whatever m

    path = tmp_path / CAT_NPZ
    np.savez(
        path,
        train_x=images(12),
        train_y=labels(12),
        test_x=images(5),
        test_y=labels(5),
        classes=np.array(["non-cat", "cat"]),
    )
    return path


@pytest.fixture(scope="session")
def course_cat() -> Path:
    """The directory in $LNN_DATA_DIR holding the course's cat data, else skip the test."""
    try:
        load_dataset("cat")
    except DatasetNotFoundError as exc:
        # Only absence skips: a file that is there but unreadable must fail the test.
        pytest.skip(f"needs the course's cat data, set {DATA_DIR_ENV}: {exc}")
    return Path(os.environ[DATA_DIR_ENV])


@pytest.fixture(scope="session")
def stack_target() -> Callable[[], dict[str, Any]]:
    """Where a message-passing test deploys its stack and serves its functions: keyword
    arguments of `embedded_stack` and `train_on_stack`, fresh at each call. Here: {}, the
    in-process moto. tests/localstack_host overrides it to run the same tests there."""
    return dict

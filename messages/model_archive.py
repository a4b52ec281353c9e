"""model.npz, the trained model's one format: W1..WL and b1..bL (float64, W_l of shape
(n_l, n_{l-1}), b_l of shape (n_l, 1)) and ``config``, the run's config as JSON text.

The trainer writes it to S3 and `lnn` to ``--out``; both go through these two functions.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from messages.exceptions import MessageError

__all__ = ["ModelArchiveError", "decode_model", "encode_model"]

Params = list[tuple[np.ndarray, np.ndarray]]


class ModelArchiveError(MessageError):
    """Bytes that are not an lnn model.npz."""


def encode_model(
    params: Sequence[tuple[np.ndarray, np.ndarray]], config: Mapping[str, Any]
) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    for layer, (w, b) in enumerate(params, start=1):
        arrays[f"W{layer}"] = np.asarray(w, dtype=np.float64)
        arrays[f"b{layer}"] = np.asarray(b, dtype=np.float64)
    arrays["config"] = np.array(json.dumps(dict(config), sort_keys=True))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode_model(body: bytes) -> tuple[Params, dict[str, Any]]:
    """(params, config); ModelArchiveError with a one-line reason for anything else."""
    try:
        loaded = np.load(io.BytesIO(body), allow_pickle=False)
        if not isinstance(loaded, NpzFile):  # a bare .npy loads as an array
            raise ValueError("not an .npz archive")
        with loaded as data:
            config = json.loads(str(data["config"]))
            depth = len(config["layers"])
            params = [(data[f"W{i}"], data[f"b{i}"]) for i in range(1, depth + 1)]
    # EOFError: empty; BadZipFile: corrupt; TypeError: `config` of the wrong shape.
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelArchiveError(f"not an lnn model.npz ({reason})") from exc
    return params, config

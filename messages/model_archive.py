"""model.npz, the trained model's one format: each layer's arrays named with its number,
``W1``, ``b1``, ... (float64, W_l of shape (n_l, n_{l-1}), the others (n_l, 1)), and
``config``, the run's config as JSON text. A batch-normalized layer has ``gamma_l``,
``beta_l``, ``running_mean_l`` and ``running_var_l`` instead of ``b_l``
(functions.nn.layers.LayerSpec.names says which a layer has).

The trainer writes it to S3 and `lnn` to ``--out``; both go through these two functions.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from messages.exceptions import MessageError

__all__ = ["ModelArchiveError", "decode_model", "encode_model"]

Params = list[dict[str, np.ndarray]]
_ARRAY_NAME = re.compile(r"([A-Za-z_]+)(\d+)")


class ModelArchiveError(MessageError):
    """Bytes that are not an lnn model.npz."""


def encode_model(params: Sequence[Mapping[str, np.ndarray]], config: Mapping[str, Any]) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    for layer, named in enumerate(params, start=1):
        for name, array in named.items():
            arrays[f"{name}{layer}"] = np.asarray(array, dtype=np.float64)
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
            params: Params = [{} for _ in config["layers"]]
            for key in data.files:
                named = _ARRAY_NAME.fullmatch(key)
                if named is not None and 1 <= int(named[2]) <= len(params):
                    params[int(named[2]) - 1][named[1]] = data[key]
            missing = [f"W{i}" for i, layer in enumerate(params, start=1) if "W" not in layer]
            if missing:
                raise KeyError(f"no array {missing[0]}")
    # EOFError: empty; BadZipFile: corrupt; TypeError: `config` of the wrong shape.
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelArchiveError(f"not an lnn model.npz ({reason})") from exc
    return params, config

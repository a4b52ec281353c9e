"""model.npz: W1..WL, b1..bL (float64) and ``config`` (JSON text), as the CLI contract says."""

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from functions.nn.layers import LayerSpec
from functions.nn.types import Array
from lnn.cli.errors import UsageError
from lnn.datasets.exceptions import first_line


@dataclass(frozen=True)
class Model:
    params: list[tuple[Array, Array]]
    config: dict[str, Any]

    @property
    def specs(self) -> list[LayerSpec]:
        return [LayerSpec(int(x["units"]), str(x["activation"])) for x in self.config["layers"]]


def save_model(path: Path, params: list[tuple[Array, Array]], config: dict[str, Any]) -> Path:
    arrays: dict[str, Any] = {}
    for i, (w, b) in enumerate(params, start=1):
        arrays[f"W{i}"] = np.asarray(w, dtype=np.float64)
        arrays[f"b{i}"] = np.asarray(b, dtype=np.float64)
    arrays["config"] = np.array(json.dumps(config, sort_keys=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return path


def load_model(path: Path) -> Model:
    if not path.is_file():
        raise UsageError(f"model file not found: {path}")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, NpzFile):  # a bare .npy loads as an array
            raise ValueError("not an .npz archive")
        with loaded as data:
            config = json.loads(str(data["config"]))
            depth = len(config["layers"])
            params = [(data[f"W{i}"], data[f"b{i}"]) for i in range(1, depth + 1)]
    # EOFError: empty file; BadZipFile: corrupt archive; TypeError: `config` of the wrong shape.
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{path} is not an lnn model.npz ({first_line(exc)})") from exc
    return Model(params, config)

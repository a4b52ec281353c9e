"""model.npz files on disk (the format itself is messages.model_archive's)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from functions.nn.layers import LayerSpec
from functions.nn.types import Array
from messages.model_archive import ModelArchiveError, decode_model, encode_model


class ModelFileError(ValueError):
    """A model.npz that is missing or that lnn did not write; the message is one line."""


@dataclass(frozen=True)
class Model:
    params: list[tuple[Array, Array]]
    config: dict[str, Any]

    @property
    def specs(self) -> list[LayerSpec]:
        return [LayerSpec(int(x["units"]), str(x["activation"])) for x in self.config["layers"]]


def save_model(path: Path, params: list[tuple[Array, Array]], config: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_model(params, config))
    return path


def load_model(path: Path) -> Model:
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    try:
        params, config = decode_model(path.read_bytes())
    except ModelArchiveError as exc:
        raise ModelFileError(f"{path} is {exc}") from exc
    return Model(params, config)

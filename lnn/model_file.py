"""model.npz files on disk (the format itself is messages.model_archive's)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from functions.nn.layers import LayerSpec
from functions.nn.types import LayerParams, Params
from functions.training.config import layer_specs
from messages.model_archive import ModelArchiveError, decode_model, encode_model
from messages.train_request import TrainConfig


class ModelFileError(ValueError):
    """A model.npz that is missing or that lnn did not write; the message is one line."""


@dataclass(frozen=True)
class Model:
    params: Params
    config: dict[str, Any]

    @property
    def train_config(self) -> TrainConfig:
        """The TrainConfig inside the config (which adds run_id, n_features, classes)."""
        fields = {k: v for k, v in self.config.items() if k in TrainConfig.model_fields}
        return TrainConfig.model_validate(fields)

    @property
    def specs(self) -> list[LayerSpec]:
        return layer_specs(self.train_config)


def save_model(path: Path, params: Params, config: dict[str, Any]) -> Path:
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
    model = Model(params, config)
    try:
        specs = model.specs
    except ValidationError as exc:
        raise ModelFileError(
            f"{path} has a config lnn cannot read ({exc.errors()[0]['msg']})"
        ) from exc
    fan_in = _n_features(path, config)
    for number, (layer, spec) in enumerate(zip(params, specs, strict=True), start=1):
        if set(layer) != set(spec.names):
            expected = ", ".join(f"{name}{number}" for name in spec.names)
            raise ModelFileError(
                f"{path} is not an lnn model.npz (layer {number} needs {expected})"
            )
        _check_shapes(path, number, layer, spec, fan_in)
        fan_in = spec.units
    return model


def _n_features(path: Path, config: dict[str, Any]) -> int:
    """The features a sample has, as the config says (W1's width must agree)."""
    value = config.get("n_features")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelFileError(f"{path} is not an lnn model.npz (its config has no n_features)")
    return value


def _check_shapes(
    path: Path, number: int, layer: LayerParams, spec: LayerSpec, fan_in: int
) -> None:
    """W_l is (units, the previous layer's units; W1's the config's n_features), every other
    array a column of units: a model that predicts at all predicts with the right arrays."""
    for name in spec.names:
        expected = (spec.units, fan_in) if name == "W" else (spec.units, 1)
        if layer[name].shape != expected:
            raise ModelFileError(
                f"{path} is not an lnn model.npz ({name}{number} has shape "
                f"{layer[name].shape}; the config's layer {number} needs {expected})"
            )

"""TrainRequest: what a user publishes to start a run."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, StrictBool, Tag, model_validator

from messages.arrays import ArrayRef, DType
from messages.base import Count, Float, FrozenModel, Int, RunId
from messages.limits import (
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_SAMPLES_X_FEATURES,
    MAX_SHARDS,
    MAX_UNITS,
)
from messages.vocabulary import ActivationName, InitName, LrScheduleName, OptimizerName

__all__ = [
    "Activation",
    "BatchedData",
    "CancelToken",
    "LayerSpecModel",
    "RequestData",
    "TrainConfig",
    "TrainRequest",
    "TrainingData",
    "cancel_digest",
]

Activation = ActivationName  # the name messages/__init__ has always exported
_FLOAT_DTYPES = ("float64", "float32")


class LayerSpecModel(FrozenModel):
    """One dense layer: its width, activation and whether batch norm normalizes its Z (then
    the layer has no bias: batch norm's beta does that work)."""

    units: Int = Field(ge=1, le=MAX_UNITS)
    activation: Activation
    batch_norm: StrictBool = False


class TrainingData(FrozenModel):
    """Column-major arrays: x is (n_features, m), y is (n_outputs, m), y already encoded."""

    x_train: ArrayRef
    y_train: ArrayRef
    x_test: ArrayRef | None = None
    y_test: ArrayRef | None = None

    @property
    def n_features(self) -> int:
        return self.x_train.shape[0]

    @property
    def n_outputs(self) -> int:
        return self.y_train.shape[0]

    @property
    def n_samples(self) -> int:
        """Training samples, the dev set not yet carved out of them."""
        return self.x_train.shape[1]

    @model_validator(mode="after")
    def _check_shapes(self) -> Self:
        self._check_pair("train", self.x_train, self.y_train)
        if (self.x_test is None) != (self.y_test is None):
            raise ValueError("x_test and y_test must be given together or not at all")
        if self.x_test is not None and self.y_test is not None:
            self._check_pair("test", self.x_test, self.y_test)
            if self.x_test.shape[0] != self.x_train.shape[0]:
                raise ValueError(
                    f"x_test has {self.x_test.shape[0]} features but x_train has "
                    f"{self.x_train.shape[0]}"
                )
            if self.y_test.shape[0] != self.y_train.shape[0]:
                raise ValueError(
                    f"y_test has {self.y_test.shape[0]} outputs but y_train has "
                    f"{self.y_train.shape[0]}"
                )
        return self

    @staticmethod
    def _check_pair(split: str, x: ArrayRef, y: ArrayRef) -> None:
        for name, ref in ((f"x_{split}", x), (f"y_{split}", y)):
            if len(ref.shape) != 2:
                raise ValueError(f"{name} must be 2-D (rows, samples), got shape {ref.shape}")
        if x.dtype not in _FLOAT_DTYPES:
            raise ValueError(f"x_{split} must be float64 or float32, got {x.dtype}")
        (n_x, m), (_, m_y) = x.shape, y.shape
        if m < 1:
            raise ValueError(f"x_{split} has no samples (shape {x.shape})")
        if m_y != m:
            raise ValueError(f"x_{split} has {m} samples (columns) but y_{split} has {m_y}")
        if n_x * m > MAX_SAMPLES_X_FEATURES:
            raise ValueError(
                f"x_{split} has {n_x} features x {m} samples = {n_x * m} values, "
                f"over the limit of {MAX_SAMPLES_X_FEATURES}"
            )


class BatchedData(FrozenModel):
    """Data already split (dev carved out with the request's holdout and seed) and cut into
    the run's stored batches (functions/training/layout.py): one .npy per array of each batch,
    under ``prefix`` (functions/protocol/keys.py batch_key), which must be the run's own
    upload prefix. `lnn submit` and the client send this, so a run's start reads no data;
    each batch is checked when a step reads it."""

    layout: Literal["batches"] = "batches"
    prefix: str = Field(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_./=-]+/$")
    n_features: Int = Field(ge=1)
    n_outputs: Int = Field(ge=1)
    x_dtype: DType
    y_dtype: DType
    train_samples: Int = Field(ge=1)
    dev_samples: Count = 0
    test_samples: Count = 0

    @property
    def sizes(self) -> tuple[int, int, int]:
        return (self.train_samples, self.dev_samples, self.test_samples)

    @property
    def n_samples(self) -> int:
        """Training samples, the dev set included."""
        return self.train_samples + self.dev_samples

    @model_validator(mode="after")
    def _check_sizes(self) -> Self:
        if self.x_dtype not in _FLOAT_DTYPES:
            raise ValueError(f"x_dtype must be float64 or float32, got {self.x_dtype}")
        # Per array, as for whole arrays: the training samples (dev included), then test.
        for name, samples in (("x_train", self.n_samples), ("x_test", self.test_samples)):
            values = self.n_features * samples
            if values > MAX_SAMPLES_X_FEATURES:
                raise ValueError(
                    f"{name} has {self.n_features} features x {samples} samples = {values} "
                    f"values, over the limit of {MAX_SAMPLES_X_FEATURES}"
                )
        return self


def _data_layout(value: Any) -> str:
    if isinstance(value, dict):
        return "batches" if value.get("layout") == "batches" else "arrays"
    return "batches" if isinstance(value, BatchedData) else "arrays"


RequestData = Annotated[
    Annotated[TrainingData, Tag("arrays")] | Annotated[BatchedData, Tag("batches")],
    Discriminator(_data_layout),
]
"""A request's data: whole arrays (inline, or one object each) or the run's stored batches."""


Fraction01 = Annotated[Float, Field(ge=0.0, lt=1.0)]


class TrainConfig(FrozenModel):
    """Architecture and hyper-parameters: everything about a run except its data."""

    dataset: str = Field(min_length=1, max_length=200)
    layers: list[LayerSpecModel] = Field(min_length=1, max_length=MAX_LAYERS)
    epochs: Int = Field(default=1000, ge=0, le=MAX_EPOCHS)
    batch_size: Int = Field(default=0, ge=0, le=MAX_BATCH_SIZE)  # 0 = full batch
    lr: Float = Field(default=0.0075, gt=0.0, le=10.0)
    lr_decay: Float = Field(default=0.0, ge=0.0)
    lr_schedule: LrScheduleName = "inverse_time"
    decay_interval: Int = Field(default=1, ge=1)
    optimizer: OptimizerName = "gd"
    beta1: Fraction01 = 0.9
    beta2: Fraction01 = 0.999
    epsilon: Float = Field(default=1e-8, gt=0.0, le=1.0)
    # Batch norm's running averages: new = (1 - bn_momentum) old + bn_momentum batch (torch's
    # convention; the course's beta is 1 - bn_momentum), and the eps under its square root.
    bn_momentum: Float = Field(default=0.1, gt=0.0, le=1.0)
    bn_epsilon: Float = Field(default=1e-5, gt=0.0, le=1.0)
    l2: Float = Field(default=0.0, ge=0.0)
    dropout: Float = Field(default=1.0, gt=0.0, le=1.0)  # keep_prob; 1 = off
    init: InitName = "he"
    holdout: Float = Field(default=0.0, ge=0.0, le=0.9)
    seed: Int = Field(default=1, ge=0, le=2**32 - 1)
    shards: Int = Field(default=1, ge=1, le=MAX_SHARDS)
    # Epochs between evaluations; 0 = only after the last epoch; "auto" = every
    # ceil(epochs / AUTO_EVALUATIONS)-th epoch, at most 20 evaluations (always the last;
    # functions.training.schedule.eval_epochs says which epochs exactly).
    eval_every: Literal["auto"] | Count = "auto"
    # Steps between telemetry steps; 0 = off; "auto" = every step of a run of at most
    # AUTO_TELEMETRY_STEPS steps, else about that many spread over the run
    # (functions.training.schedule.telemetry_cadence says which steps exactly).
    telemetry_every: Literal["auto"] | Count = "auto"

    @model_validator(mode="after")
    def _check_layers(self) -> Self:
        for i, layer in enumerate(self.layers[:-1]):
            if layer.activation == "softmax":
                raise ValueError(f"layers.{i}: softmax is only allowed in the output layer")
        out = self.layers[-1]
        if out.batch_norm:
            raise ValueError(
                f"layers.{len(self.layers) - 1}: batch norm is for hidden layers; the output "
                "layer's Z goes to the loss as it is"
            )
        if out.activation == "softmax" and out.units < 2:
            raise ValueError(f"a softmax output needs at least 2 units, got {out.units}")
        if self.lr_schedule == "step" and self.lr_decay >= 1.0:
            raise ValueError(
                "lr_decay is the step schedule's drop factor and must be below 1, "
                f"got {self.lr_decay}"
            )
        return self

    @property
    def depth(self) -> int:
        return len(self.layers)

    def shards_for(self, layer: int) -> int:
        """Shards of `layer` (1-based): min(shards, its units), so no shard is empty."""
        if not 1 <= layer <= self.depth:
            raise IndexError(f"layer {layer} out of range 1..{self.depth}")
        return min(self.shards, self.layers[layer - 1].units)


CancelToken = Annotated[str, Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


def cancel_digest(token: str) -> str:
    """What the run record keeps of a cancel token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class TrainRequest(TrainConfig):
    """A training run: its id, data, architecture and hyper-parameters."""

    kind: Literal["train_request"] = "train_request"
    # Required: the publisher names the run, so it knows what to poll (SNS answers a publish
    # with a message id only), and every delivery of one request names the same run (an id
    # drawn on arrival would start a new run per duplicate delivery).
    run_id: RunId
    data: RequestData
    # A secret of the publisher's: a CancelRun on the train topic must carry it. The run
    # record keeps only its digest; without one, only `lnn cancel` (the runs table) can stop
    # the run.
    cancel_token: CancelToken | None = None

    @model_validator(mode="after")
    def _check_outputs(self) -> Self:
        out, n_outputs = self.layers[-1], self.data.n_outputs
        if out.units != n_outputs:
            raise ValueError(
                f"output layer has {out.units} units but y_train has {n_outputs} rows "
                "(n_outputs); they must match"
            )
        return self

    @property
    def config(self) -> TrainConfig:
        return TrainConfig(**self.model_dump(exclude={"kind", "run_id", "data", "cancel_token"}))

    @property
    def n_features(self) -> int:
        return self.data.n_features

    @property
    def n_samples(self) -> int:
        return self.data.n_samples

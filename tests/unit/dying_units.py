"""Synthetic telemetry records of a network whose hidden units die and revive at chosen
steps, for the tests of dead units over time (verdicts, TensorBoard, the page's document)."""

import numpy as np

from functions.telemetry import (
    LayerTelemetry,
    TelemetryRecord,
    backward_telemetry,
    forward_telemetry,
)


def _layer(layer: int, activation: str, z: np.ndarray, bias: np.ndarray) -> LayerTelemetry:
    units = z.shape[0]
    w = np.ones((units, 2))
    b = bias.reshape(units, 1)
    dz = np.zeros_like(z)
    backward = backward_telemetry(w, b, w, b, np.zeros_like(w), np.zeros_like(b), dz)
    return LayerTelemetry(
        layer, activation, units, 0, units, forward_telemetry(z, activation), backward
    )


def net_records(
    zs: list[np.ndarray], *, activation: str = "relu", batches: int = 1
) -> list[TelemetryRecord]:
    """Step s (1-based) of ``zs`` is the hidden layer's Z (units x samples) with bias -s/10;
    the sigmoid output's single unit is saturated on every sample throughout."""
    records = []
    for s, z in enumerate(zs, start=1):
        epoch, batch = divmod(s - 1, batches)
        hidden = _layer(1, activation, z, np.full(z.shape[0], -s / 10))
        output = _layer(2, "sigmoid", np.full((1, z.shape[1]), 9.0), np.zeros(1))
        records += [
            TelemetryRecord(epoch, batch, s, hidden),
            TelemetryRecord(epoch, batch, s, output),
        ]
    return records


# A unit's Z on three samples: alive (positive on some), dead (max Z -0.41: relu 0 on all).
ALIVE = np.array([[-1.0, 2.0, 0.5]])
DEAD = np.array([[-0.41, -3.0, -1.0]])


def unit_steps(*units: list[np.ndarray]) -> list[np.ndarray]:
    """Per step, the units' rows stacked."""
    return [np.vstack(rows) for rows in zip(*units, strict=True)]

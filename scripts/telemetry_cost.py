#!/usr/bin/env python3
"""Time one step's telemetry of the cat network's first layer (20 relu units, 12,288 inputs,
209 samples) next to that layer's own work, in one process, interleaved so that all see the
same machine load: its two matmuls alone (Z = W X + b, dW = dZ Xᵀ / m; the first layer needs
no dA_prev) and the engines' whole step (forward_shard, shard_gradients, update_shard).
Prints medians and minima (the minimum is the cost on a quiet machine) and the ratios.

    python scripts/telemetry_cost.py [--repeats N]
"""

import argparse
import time
from collections.abc import Callable

import numpy as np

from functions.nn.optimizers import make_optimizer
from functions.telemetry import backward_telemetry, forward_telemetry
from functions.training.step import forward_shard, shard_gradients, update_shard

UNITS, INPUTS, SAMPLES = 20, 12_288, 209


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    repeats = parser.parse_args().repeats

    rng = np.random.default_rng(7)
    x = rng.random((INPUTS, SAMPLES))  # pixel intensities in [0, 1), like the scaled images
    w = rng.standard_normal((UNITS, INPUTS)) / np.sqrt(INPUTS)
    b = np.zeros((UNITS, 1))
    da = rng.standard_normal((UNITS, SAMPLES)) * 1e-2
    optimizer = make_optimizer("gd")

    def step() -> tuple:
        z, a = forward_shard(w, b, x, "relu", mask=None, is_output=False)
        grads = shard_gradients(
            w, a_prev=x, z=z, grad=da, grad_kind="da", activation="relu", mask=None, l2=0.0,
            need_da_prev=False,
        )  # fmt: skip
        update = update_shard(w, b, {}, grads, optimizer=optimizer, lr=0.0075, step=1)
        return z, a, grads, update

    z, a, grads, update = step()

    def telemetry() -> None:
        forward_telemetry(z, "relu", a=a)
        backward_telemetry(w, b, update.w, update.b, grads.dw, grads.db, grads.dz)

    def matmuls() -> None:
        z = w @ x + b
        _ = (z @ x.T) / SAMPLES  # dZ has Z's shape; its values do not change the time

    times: dict[str, list[float]] = {"matmuls": [], "step": [], "telemetry": []}
    work = {"matmuls": matmuls, "step": step, "telemetry": telemetry}
    for _ in range(repeats):
        for name, fn in work.items():
            times[name].append(_timed(fn))
    for name, label in [("matmuls", "forward + backward matmuls"), ("step", "whole layer step"),
                        ("telemetry", "telemetry (forward + backward)")]:  # fmt: skip
        print(f"{label:32s} median {np.median(times[name]) * 1e3:7.2f} ms, "
              f"min {np.min(times[name]) * 1e3:7.2f} ms")  # fmt: skip
    for base in ("matmuls", "step"):
        median = np.median(times["telemetry"]) / np.median(times[base])
        best = np.min(times["telemetry"]) / np.min(times[base])
        print(f"telemetry / {base}: {median:.1%} (medians), {best:.1%} (minima), every step")


if __name__ == "__main__":
    main()

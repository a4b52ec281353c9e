#!/usr/bin/env python3
"""Time one step's telemetry of the cat network's first layer (20 relu units, 12,288 inputs,
209 samples) next to that layer's own forward and backward step, in one process, interleaved
so that both see the same machine load. Prints the medians and their ratio.

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

    step_times, telemetry_times = [], []
    for _ in range(repeats):
        step_times.append(_timed(step))
        telemetry_times.append(_timed(telemetry))
    step_s, telemetry_s = np.median(step_times), np.median(telemetry_times)
    print(f"layer step (forward + backward + update): {step_s * 1e3:.2f} ms (median of {repeats})")
    print(f"telemetry (forward + backward):           {telemetry_s * 1e3:.2f} ms")
    print(f"ratio: {telemetry_s / step_s:.1%} of the layer's step at every step")


if __name__ == "__main__":
    main()

"""Pictures of a run: the cost curve, and the decision boundary for 2-D data."""

from pathlib import Path
from typing import Any

from functions.nn.layers import LayerSpec
from functions.nn.predict import predict_plane
from functions.nn.types import Array, Params
from messages.status import HistoryEntry


def _pyplot() -> Any:
    """matplotlib's pyplot on the file-only backend, imported on first use (it takes ~0.7 s)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: runs happen on headless machines and in CI
    import matplotlib.pyplot as plt

    return plt


def plot_cost(history: list[HistoryEntry], path: Path, title: str) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([h.epoch for h in history], [h.cost for h in history])
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_decision_boundary(
    params: Params,
    specs: list[LayerSpec],
    x: Array,
    y: Array,
    path: Path,
    title: str,
) -> Path:
    """Colour the plane by predicted class; x is (2, m), y is (units, m)."""
    xs, ys, proba = predict_plane(params, x, specs, 200)
    classes = proba.argmax(axis=0) if proba.shape[0] > 1 else (proba[0] > 0.5).astype(int)
    labels = y.argmax(axis=0) if y.shape[0] > 1 else y[0]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.contourf(xs, ys, classes, alpha=0.3, cmap="coolwarm")
    ax.scatter(x[0], x[1], c=labels, s=12, cmap="coolwarm", edgecolors="k", linewidths=0.3)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

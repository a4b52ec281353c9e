"""A run as TensorBoard logs: scalars (cost, accuracies, learning rate, per-layer figures),
histograms (W, A, dW, dZ per layer) and the first layer's units as pictures.
docs/tensorboard.md lists the tags; lnn.tensorboard.tags defines them."""

from lnn.tensorboard.board import Board, run_board
from lnn.tensorboard.writer import write_board

__all__ = ["Board", "run_board", "write_board"]

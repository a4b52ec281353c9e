"""A run as TensorBoard logs: scalars (cost, accuracies, learning rate, per-layer figures),
histograms (W, A, dW, dZ per layer), the first layer's units as pictures at the picture steps
and the configuration with the final figures in the HParams dashboard; a sweep's trials as
one HParams experiment (write_sweep_board).
docs/tensorboard.md lists the tags; lnn.tensorboard.tags defines them."""

from lnn.tensorboard.board import Board, board_name, run_board
from lnn.tensorboard.sweep_board import write_sweep_board
from lnn.tensorboard.writer import write_board

__all__ = ["Board", "board_name", "run_board", "write_board", "write_sweep_board"]

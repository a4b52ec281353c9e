"""Training engines: the in-process reference and the message-passing network."""

from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference

__all__ = ["TrainingResult", "train_reference"]

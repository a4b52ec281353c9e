"""The distributed training protocol: what the trainer, neuron and loss Lambdas do with a
message, written against the adapters in functions.aws so the handlers stay thin."""

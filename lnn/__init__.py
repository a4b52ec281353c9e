"""The user-facing side: CLI, datasets, the reference trainer, plots and benchmarks."""

# A namespace of modules, imported by their own names: nothing is re-exported here.
__all__: list[str] = []

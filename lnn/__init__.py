"""The user-facing side: CLI, datasets, the reference trainer, plots and benchmarks."""

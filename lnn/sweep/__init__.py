"""Hyperparameter sweeps: many runs of one network, drawn from a search space, trained
concurrently on an engine, ranked, halved and compared (`lnn sweep`)."""

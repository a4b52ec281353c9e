"""``lnn estimate``: a run's AWS critical-path time and bill, projected from a few embedded
steps measured call by call."""

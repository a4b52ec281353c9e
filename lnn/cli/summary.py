"""The summary lines of a finished run, as ``lnn train``, ``lnn follow`` and
``lnn submit --wait`` print them (``--json`` prints the same keys as one JSON line)."""


def print_summary(line: dict) -> None:
    def fmt(value: object) -> str:
        return "-" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)

    keys = (
        "run_id",
        "status",
        "engine",
        "epochs",
        "final_cost",
        "train_accuracy",
        "dev_accuracy",
        "test_accuracy",
        "elapsed_s",
        "model_path",
        "reason",
        "verdict",
        "tensorboard",
    )
    for key in keys:
        if key in ("reason", "verdict", "tensorboard") and line.get(key) is None:
            continue
        print(f"{key:>15}: {fmt(line.get(key))}")

"""`lnn train --tensorboard` and `lnn export --tensorboard`, read back with TensorBoard's own
reader (EventAccumulator): the figures a user looks at in TensorBoard are the run's own.

The data is a tiny generated cat set (tests/conftest.py, 12 random 64x64 RGB pictures), so
the first layer's 20 units are shown as 64x64x3 pictures as on the course's cat network, at
every step the run kept (its picture steps: here all 6 and the init).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from board_events import hparams, pictures, read_log, run_logs, scalars, snapshot

from functions.nn.data import minibatch_indices
from functions.telemetry import TelemetryRecord, loads_records
from functions.training.config import learning_rate
from lnn.cli.main import main
from lnn.datasets import load_dataset
from lnn.engines.stack import embedded_stack
from lnn.first_layer import load_first_layer
from lnn.model_file import load_model
from lnn.prepare import prepare
from messages.status import HistoryEntry
from messages.train_request import TrainConfig

LAYERS = "20:relu,3:tanh,1:sigmoid"
# 12 pictures, 2 of each class held out (the split is stratified): 8 to train on in batches
# of 5 and 3 (in each epoch's order), so a run's steps and epochs differ.
TRAIN = ["--dataset", "cat", "--layers", LAYERS, "--epochs", "3", "--batch-size", "5"]
OPTIONS = ["--lr", "0.05", "--lr-decay", "0.5", "--holdout", "0.25", "--eval-every", "2"]


def batch_size(epoch: int, batch: int) -> int:
    """Samples in step ``batch`` of ``epoch``: the stored batches of 5 and 3 in the epoch's
    order (the CLI's default seed)."""
    seed = TrainConfig.model_fields["seed"].default
    return int(minibatch_indices(8, 5, seed=seed, epoch=epoch)[batch].size)


PIXELS = 64 * 64 * 3


def f32(value: float) -> float:
    """TensorBoard stores scalars as float32."""
    return float(np.float32(value))


def expected_tile(w_row: np.ndarray) -> np.ndarray:
    """A unit's picture: its weights reshaped as the cat loader flattened the pixels
    (64, 64, 3), zero mid-grey, the largest |weight| at 0 or 255; a unit training left
    unchanged (a dead relu's W - W(init)) all grey."""
    w_row = w_row.astype(np.float64)
    peak = np.abs(w_row).max()
    scaled = w_row / peak if peak > 0 else w_row
    return np.rint(127.5 * (1.0 + scaled)).reshape(64, 64, 3)


def check_history(logs: dict, history: list[HistoryEntry], config: TrainConfig) -> None:
    log = logs["train"]
    assert scalars(log, "cost") == {e.epoch: f32(e.cost) for e in history}
    for name in ("train", "dev", "test"):  # one tag, a run per split: one card in TensorBoard
        shown = scalars(logs[name], "accuracy")
        assert shown == {
            e.epoch: f32(getattr(e, f"{name}_accuracy")) for e in history if e.epoch in (2, 3)
        }
    settings, metrics = hparams(logs[""])
    assert settings["dataset"] == "cat" and settings["layers"] == LAYERS
    assert settings["lr"] == 0.05 and settings["batch_size"] == 5 and settings["holdout"] == 0.25
    assert metrics == ["final/cost", *(f"final/{s}_accuracy" for s in ("train", "dev", "test"))]
    last = history[-1]
    for tag, value in {"cost": last.cost, "train_accuracy": last.train_accuracy}.items():
        assert scalars(logs[""], f"final/{tag}") == {0: f32(value)}
    rates = scalars(log, "learning_rate")
    # inverse_time, rate 0.5: 0.05 / (1 + 0.5 * (epoch - 1)).
    assert rates == {1: f32(0.05), 2: f32(0.05 / 1.5), 3: f32(0.025)}
    assert rates == {e: f32(learning_rate(config, e - 1)) for e in (1, 2, 3)}


def check_layers(log, records: list[TelemetryRecord]) -> None:
    assert {r.step for r in records} == set(range(1, 7))  # every step of 3 epochs x 2 batches
    for r in records:
        t, layer = r.telemetry, r.telemetry.layer
        b = t.backward
        figures = {
            "grad_rms": t.grad_rms,
            "update_ratio": t.update_ratio,
            "saturated": t.saturated_fraction,
            "dead": len(t.dead_units),
            "weight_norm": float(np.sqrt(np.sum(b.weight_norm_sum**2))),
        }
        for name, value in figures.items():
            assert scalars(log, f"layer{layer}/{name}")[r.step] == f32(value), (name, r.step)
        weights = b.fan_in * t.units
        counts = {"W": weights, "dW": weights, "A": t.units * batch_size(r.epoch, r.batch)}
        for name, expected in counts.items():
            (event,) = [e for e in log.Histograms(f"layer{layer}/{name}") if e.step == r.step]
            assert sum(event.histogram_value.bucket) == event.histogram_value.num == expected
        # The records' own bins, handed over as they are: counts and upper edges.
        (w_event,) = [e for e in log.Histograms(f"layer{layer}/W") if e.step == r.step]
        occupied = np.flatnonzero(b.weights.counts)
        first, stop = occupied[0], occupied[-1] + 1
        assert list(w_event.histogram_value.bucket) == b.weights.counts[first:stop].tolist()
        edges = b.weights.spec.edges()
        assert list(w_event.histogram_value.bucket_limit) == edges[first + 1 : stop + 1].tolist()


def check_grid(grid: np.ndarray, w1: np.ndarray, what: str) -> None:
    assert grid.shape == (3 * 64, 8 * 64, 3)  # 20 units in rows of 8
    for unit in range(20):
        row, column = divmod(unit, 8)
        tile = grid[row * 64 : (row + 1) * 64, column * 64 : (column + 1) * 64]
        np.testing.assert_array_equal(tile, expected_tile(w1[unit]), err_msg=f"{what} {unit}")
    assert not grid[2 * 64 :, 4 * 64 :].any()  # the grid's four empty places


def check_pictures(log, first_layer: dict[int, np.ndarray], w1: np.ndarray) -> None:
    """W at the init and each step, W - W(init) at each step; the last step's W the model's."""
    assert sorted(first_layer) == list(range(7))  # the init and all 6 steps
    np.testing.assert_array_equal(first_layer[6], w1.astype(np.float32))
    weights, changes = pictures(log, "layer1/units"), pictures(log, "layer1/units_change")
    assert sorted(weights) == list(range(7)) and sorted(changes) == list(range(1, 7))
    for step in (0, 3, 6):
        check_grid(weights[step], first_layer[step], f"W at step {step}, unit")
    check_grid(changes[6], first_layer[6] - first_layer[0], "W - W(init), unit")
    assert not np.array_equal(weights[1], weights[6])  # the slider moves through training


def test_train_writes_the_run_and_export_of_its_out_dir_writes_the_same(
    tiny_cat: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, logs = tmp_path / "run", tmp_path / "tb"
    argv = ["train", "--engine", "embedded", *TRAIN, *OPTIONS, "--json", "--out", str(out)]
    assert main([*argv, "--tensorboard", str(logs)]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    run_dir = Path(summary["tensorboard"])
    name = f"cat_20relu-3tanh-1sigmoid_{summary['run_id'][:8]}"
    assert run_dir == logs / name
    assert sorted(p.name for p in run_dir.iterdir() if p.is_dir()) == ["dev", "test", "train"]

    entries = json.loads((out / "history.json").read_text())
    history = [HistoryEntry.model_validate(e) for e in entries]
    records = loads_records((out / "telemetry.jsonl").read_text())
    model = load_model(out / "model.npz")
    config = TrainConfig.model_validate(
        {k: v for k, v in model.config.items() if k in TrainConfig.model_fields}
    )
    logs_of_run = run_logs(run_dir)
    check_history(logs_of_run, history, config)
    check_layers(logs_of_run["train"], records)
    first_layer = load_first_layer(out / "first_layer.npz")
    check_pictures(logs_of_run["train"], first_layer, model.params[0]["W"])

    def snapshots(directory: Path) -> dict:
        return {run: snapshot(log) for run, log in run_logs(directory).items()}

    assert main(["export", str(out), "--tensorboard", str(tmp_path / "again")]) == 0
    assert str(tmp_path / "again" / name) in capsys.readouterr().out
    assert snapshots(tmp_path / "again" / name) == snapshots(run_dir)
    # Exporting again replaces the run's events rather than adding a second copy.
    assert main(["export", str(out), "--tensorboard", str(tmp_path / "again")]) == 0
    again = tmp_path / "again" / name
    assert [len(list(again.glob("**/events.out.tfevents.*")))] == [4]  # session + 3 splits
    assert snapshots(again) == snapshots(run_dir)


def test_export_reads_a_run_from_the_stack(
    tiny_cat: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = load_dataset("cat")
    layers = [{"units": 20, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="cat", layers=layers, epochs=2, batch_size=5, lr=0.05)
    data = prepare(dataset, layers)
    logs = tmp_path / "tb"
    with embedded_stack() as (client, runner):
        run_id = client.start(config, data).run_id

        def finished() -> bool:
            found = client.record(run_id)
            return found is not None and found.status.is_terminal

        assert runner.run_until(finished, timeout=300)
        assert main(["export", run_id, "--tensorboard", str(logs)]) == 0
        history, records = client.history(run_id), client.telemetry(run_id)
        w1 = load_model(client.download_model(run_id, tmp_path)).params[0]["W"]
        capsys.readouterr()
        assert main(["export", "ghost", "--tensorboard", str(logs)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no run ghost in stack lnn" in err
    # No holdout: no dev run (the cat set's own test pictures make the test run).
    run_dir = logs / f"cat_20relu-1sigmoid_{run_id[:8]}"
    assert sorted(p.name for p in run_dir.iterdir() if p.is_dir()) == ["test", "train"]
    log = read_log(run_dir / "train")
    assert scalars(log, "cost") == {e.epoch: f32(e.cost) for e in history}
    assert scalars(log, "learning_rate") == {1: f32(0.05), 2: f32(0.05)}
    # 12 pictures, none held out: batches of 5, 5 and 2; 2 epochs.
    assert {r.step for r in records} == set(range(1, 7))
    for r in records:
        grad_rms = scalars(log, f"layer{r.telemetry.layer}/grad_rms")
        assert grad_rms[r.step] == f32(r.telemetry.grad_rms)
    w_counts = {e.step: e.histogram_value.num for e in log.Histograms("layer1/W")}
    assert w_counts == {step: 20 * PIXELS for step in range(1, 7)}
    # The kept versions, read from the stack: the init and every step; the last the model's.
    weights = pictures(log, "layer1/units")
    assert sorted(weights) == list(range(7))
    assert sorted(pictures(log, "layer1/units_change")) == list(range(1, 7))
    np.testing.assert_array_equal(weights[6][:64, 64:128], expected_tile(w1[1]))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: str(tmp / "missing" / "run"), "no such directory, and not a run id"),
        (lambda tmp: str(tmp), "nothing to export"),
    ],
)
def test_export_of_a_missing_or_empty_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, message: str
) -> None:
    assert main(["export", make(tmp_path), "--tensorboard", str(tmp_path / "tb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "tb").exists()


def test_runs_with_eval_every_auto_and_5_fill_one_column_in_one_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """HParams keeps one type per column: a run whose eval_every is the number 5 beside one
    whose is "auto" would drop from the table; as text, both are listed."""
    logs = tmp_path / "tb"
    argv = ["train", "--engine", "reference", "--dataset", "moons", "--layers", "3:tanh,1:sigmoid"]
    for options in ([], ["--eval-every", "5"]):
        out = tmp_path / f"run{len(options)}"
        assert main([*argv, "--epochs", "5", "--json", "--out", str(out), *options]) == 0
        assert main(["export", str(out), "--tensorboard", str(logs)]) == 0
    capsys.readouterr()
    sessions = [hparams(read_log(run))[0] for run in sorted(logs.iterdir())]
    assert sorted(s["eval_every"] for s in sessions) == ["5", "auto"]
    assert all(s["telemetry_every"] == "auto" for s in sessions)

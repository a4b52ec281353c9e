"""A sweep for TensorBoard's HParams dashboard, read back with TensorBoard's own reader:
one experiment declaring every column with its domain and the metrics, and a session per
trial with its values, its final figures, how it ended, and its history's curves."""

import json
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from sweep_boards import HISTORIES, PARAMS, sweep_record
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import api_pb2, metadata

from lnn.cli.main import main
from lnn.runs import HISTORY_FILE
from lnn.sweep.types import RECORD_FILE, trial_dir, trial_name
from lnn.tensorboard import write_sweep_board


def read(directory: Path) -> EventAccumulator:
    log = EventAccumulator(str(directory), size_guidance={"scalars": 0, "tensors": 0})
    log.Reload()
    return log


def plugin_data(log: EventAccumulator, tag: str) -> bytes:
    return log.PluginTagToContent(metadata.PLUGIN_NAME)[tag]


def test_the_experiment_declares_each_column_with_its_domain(tmp_path: Path) -> None:
    written = write_sweep_board(tmp_path, sweep_record(), HISTORIES)
    assert written == tmp_path / "moons-sweep"
    experiment = metadata.parse_experiment_plugin_data(
        plugin_data(read(written), metadata.EXPERIMENT_TAG)
    )
    infos = {info.name: info for info in experiment.hparam_infos}
    # The searched options in the search's order, then the ones the base config set.
    assert list(infos) == ["lr", "batch-size", "beta1", "layers", "optimizer", "epochs"]
    assert infos["lr"].domain_interval.min_value == pytest.approx(1e-3)
    assert infos["lr"].domain_interval.max_value == 1.0
    assert infos["beta1"].domain_interval.min_value == pytest.approx(0.9)  # 1 - 1e-1
    assert infos["beta1"].domain_interval.max_value == pytest.approx(0.999)
    assert list(infos["batch-size"].domain_discrete) == [32, 64, 0]
    assert list(infos["layers"].domain_discrete) == ["8:relu,1:sigmoid", "4:relu,4:relu,1:sigmoid"]
    assert infos["layers"].type == api_pb2.DATA_TYPE_STRING
    assert infos["lr"].type == infos["batch-size"].type == api_pb2.DATA_TYPE_FLOAT64
    assert list(infos["optimizer"].domain_discrete) == ["adam"]
    assert [m.name.tag for m in experiment.metric_infos] == [
        "final/cost",
        "final/train_accuracy",
        "final/dev_accuracy",
        "final/test_accuracy",
        "final/epochs",
    ]


def test_each_trial_is_a_session_with_its_values_figures_and_end(tmp_path: Path) -> None:
    written = write_sweep_board(tmp_path, sweep_record(), HISTORIES)
    assert sorted(p.name for p in written.iterdir() if p.is_dir()) == ["t00", "t01", "t02"]
    ends = {}
    for index, params in enumerate(PARAMS):
        log = read(written / trial_name(index))
        start = metadata.parse_session_start_info_plugin_data(
            plugin_data(log, metadata.SESSION_START_INFO_TAG)
        )
        values = {k: MessageToDict(v) for k, v in start.hparams.items()}
        assert values == {**params, "epochs": 3, "optimizer": "adam"}
        end = metadata.parse_session_end_info_plugin_data(
            plugin_data(log, metadata.SESSION_END_INFO_TAG)
        )
        ends[index] = end.status
        figures = {t: [e.value for e in log.Scalars(t)] for t in log.Tags()["scalars"]}
        if index == 2:
            assert figures == {"final/epochs": [0.0]}  # failed: no figures but its epochs
    assert ends == {0: api_pb2.STATUS_SUCCESS, 1: api_pb2.STATUS_SUCCESS, 2: api_pb2.STATUS_FAILURE}
    first = read(written / "t00")
    assert {t: first.Scalars(t)[0].value for t in first.Tags()["scalars"]} == pytest.approx(
        {
            "final/cost": 0.4,
            "final/train_accuracy": 0.9,
            "final/dev_accuracy": 0.85,
            "final/epochs": 3,
        }
    )
    # The history's curves, as a run's board has them: cost per epoch, accuracy per split.
    stopped = read(written / "t01" / "train")
    assert [e.step for e in stopped.Scalars("cost")] == [1, 2]
    assert [e.value for e in stopped.Scalars("cost")] == pytest.approx([0.7, 0.69])
    dev = read(written / "t01" / "dev")
    assert [(e.step, e.value) for e in dev.Scalars("accuracy")] == [(2, 0.5)]
    assert not (written / "t02" / "train").exists()  # no history: the session only


def test_writing_again_replaces_the_events(tmp_path: Path) -> None:
    record = sweep_record()
    write_sweep_board(tmp_path, record, HISTORIES)
    written = write_sweep_board(tmp_path, record, HISTORIES)
    assert len(list(written.glob("events.out.tfevents.*"))) == 1
    log = read(written / "t00" / "train")
    assert [e.step for e in log.Scalars("cost")] == [1, 2, 3]


def sweep_directory(root: Path) -> Path:
    """A sweep's directory as a sweep writes it: sweep.json and each trial's history.json
    (the failed trial's run directory has none)."""
    record = sweep_record()
    directory = root / "sweeps" / record.sweep_id
    directory.mkdir(parents=True)
    (directory / RECORD_FILE).write_text(record.model_dump_json())
    for index, history in HISTORIES.items():
        run = trial_dir(directory, index)
        run.mkdir(parents=True)
        entries = [h.model_dump(mode="json") for h in history]
        (run / HISTORY_FILE).write_text(json.dumps(entries))
    return directory


def test_lnn_export_writes_a_sweep_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = sweep_directory(tmp_path)
    assert main(["export", str(directory), "--tensorboard", str(tmp_path / "tb")]) == 0
    written = tmp_path / "tb" / "moons-sweep"
    assert capsys.readouterr().out.strip() == (
        f"{written}: 3 trials (2 with a history) as one HParams experiment"
    )
    log = read(written / "t01")
    start = metadata.parse_session_start_info_plugin_data(
        plugin_data(log, metadata.SESSION_START_INFO_TAG)
    )
    assert start.hparams["lr"].number_value == 0.3
    assert [e.value for e in log.Scalars("final/epochs")] == [2.0]
    assert [e.step for e in read(written / "t01" / "train").Scalars("cost")] == [1, 2]


def test_a_broken_sweep_record_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = sweep_directory(tmp_path)
    (directory / RECORD_FILE).write_text('{"sweep_id": "moons-sweep"}')
    assert main(["export", str(directory), "--tensorboard", str(tmp_path / "tb")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sweep.json is not a sweep record" in err[0]

"""lnn.runs: a RUN argument resolved once, to a directory or a run on a stack, with one
one-line error for each way it can fail."""

import json
from pathlib import Path
from typing import NoReturn

import pytest
from memory_runs import config, toy_data

from functions.telemetry.spans import Span
from functions.training.split import split_training_data
from lnn.client import RunNotFoundError
from lnn.engines.reference import train_reference
from lnn.model_file import save_model
from lnn.runs import (
    HISTORY_FILE,
    MODEL_FILE,
    SPANS_FILE,
    TELEMETRY_FILE,
    LocalRun,
    OutputDirectoryError,
    RunDirectoryNotFoundError,
    RunError,
    RunFileInvalidError,
    RunFileMissingError,
    StackRun,
    make_output_dir,
    open_run,
)
from lnn.telemetry import write_telemetry
from lnn.trace import write_spans


def no_stack() -> NoReturn:
    """A directory, or an argument that cannot be a run id, must not reach for a stack."""
    raise AssertionError("the stack was asked")


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text
    return text


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the files `lnn train --out` writes and the reader reads."""
    out = tmp_path_factory.mktemp("run")
    cfg = config(telemetry_every=1)
    x, y = toy_data()
    result = train_reference(cfg, split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed))
    history = [h.model_dump(mode="json") for h in result.history]
    (out / HISTORY_FILE).write_text(json.dumps(history))
    write_telemetry(out, result.telemetry)
    span = Span("neuron", "train", "forward", 0, 0, 1, 0, 1.0, 1.5, 1, "completed")
    write_spans(out, [span])
    model_config = {**cfg.model_dump(mode="json"), "run_id": "r1", "n_features": x.shape[0]}
    save_model(out / MODEL_FILE, result.params, model_config)
    return out


def test_a_missing_directory_that_is_no_run_id_is_one_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing" / "run")
    with pytest.raises(RunDirectoryNotFoundError) as caught:
        open_run(missing, command="inspect", connect=no_stack)
    assert one_line(caught.value) == f"{missing}: no such directory, and not a run id"
    assert isinstance(caught.value, RunError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("command", "read", "missing"),
    [
        ("inspect", LocalRun.telemetry, TELEMETRY_FILE),
        ("trace", LocalRun.spans, SPANS_FILE),
        ("export", LocalRun.history, HISTORY_FILE),
        ("predict", LocalRun.model, MODEL_FILE),
    ],
)
def test_an_empty_directory_names_the_file_and_the_command(
    tmp_path: Path, command: str, read: object, missing: str
) -> None:
    run = open_run(str(tmp_path), command=command, connect=no_stack)
    assert isinstance(run, LocalRun)
    with pytest.raises(RunFileMissingError) as caught:
        read(run)  # type: ignore[operator]
    message = one_line(caught.value)
    assert message.startswith(
        f"{tmp_path} holds no {missing}: nothing to {command} (lnn train --out writes it"
    )
    assert caught.value.names == (missing,) and caught.value.command == command


def test_a_command_that_reads_any_of_several_files_lists_them(tmp_path: Path) -> None:
    run = open_run(str(tmp_path), command="export", connect=no_stack)
    assert isinstance(run, LocalRun)
    with pytest.raises(RunFileMissingError) as caught:
        run.require_any((HISTORY_FILE, TELEMETRY_FILE, MODEL_FILE))
    assert one_line(caught.value) == (
        f"{tmp_path} holds no history.json, telemetry.jsonl or model.npz: nothing to export "
        "(lnn train --out writes them)"
    )


def test_a_good_directory_reads_every_file(run_dir: Path) -> None:
    run = open_run(str(run_dir), command="export", connect=no_stack)
    assert isinstance(run, LocalRun) and run.name == run_dir.name
    run.require_any((HISTORY_FILE, TELEMETRY_FILE, MODEL_FILE))
    assert [h.epoch for h in run.history()] == [1, 2]
    assert run.telemetry() and {r.epoch for r in run.telemetry()} == {0, 1}
    assert [s.outcome for s in run.spans()] == ["completed"]
    assert run.model().config["run_id"] == "r1"


def test_a_named_file_stands_for_the_file_the_command_reads(run_dir: Path) -> None:
    named = str(run_dir / TELEMETRY_FILE)
    run = open_run(named, command="inspect", connect=no_stack, accepts_file=True)
    assert isinstance(run, LocalRun) and run.telemetry()
    # A command that reads a directory's several files does not take a file.
    with pytest.raises(RunDirectoryNotFoundError):
        open_run(named, command="export", connect=no_stack)


def test_a_file_lnn_did_not_write_is_one_line(tmp_path: Path) -> None:
    (tmp_path / SPANS_FILE).write_text('{"function": "neuron"}\n')
    run = open_run(str(tmp_path), command="trace", connect=no_stack)
    with pytest.raises(RunFileInvalidError) as caught:
        run.spans()
    assert str(caught.value).startswith(f"{tmp_path / SPANS_FILE} is not a spans file: ")
    assert caught.value.__cause__ is not None  # the parser's error, chained


class FakeClient:
    """The part of lnn.client.StackClient the reader uses, with one run on its stack."""

    def __init__(self, record: object | None) -> None:
        self._record = record

    def require_record(self, run_id: str) -> object:
        if self._record is None:
            raise RunNotFoundError(f"no run {run_id} in stack lnn")
        return self._record

    def telemetry(self, run_id: str) -> list[str]:
        return [f"telemetry of {run_id}"]


def test_a_run_id_is_looked_up_on_the_stack_once() -> None:
    from messages.status import RunRecord

    record = RunRecord.model_construct(run_id="abc")
    connected: list[FakeClient] = []

    def connect() -> FakeClient:
        connected.append(FakeClient(record))
        return connected[-1]

    run = open_run("abc", command="inspect", connect=connect)  # type: ignore[arg-type]
    assert isinstance(run, StackRun) and run.run_id == "abc" and len(connected) == 1
    assert run.telemetry() == ["telemetry of abc"]  # type: ignore[comparison-overlap]


def test_an_unknown_run_id_is_the_stack_clients_one_line() -> None:
    def connect() -> FakeClient:
        return FakeClient(None)

    with pytest.raises(RunNotFoundError) as caught:
        open_run("ghost", command="trace", connect=connect)  # type: ignore[arg-type]
    assert one_line(caught.value) == "no run ghost in stack lnn"


def test_an_output_directory_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert make_output_dir(tmp_path / "a" / "b", "--out") == tmp_path / "a" / "b"
    with pytest.raises(OutputDirectoryError) as caught:
        make_output_dir(blocker / "sub", "--tensorboard")
    assert one_line(caught.value).startswith(f"--tensorboard: cannot create directory {blocker}")
    assert isinstance(caught.value.__cause__, OSError)


def test_a_missing_file_says_when_lnn_writes_it(tmp_path: Path) -> None:
    """A reference-engine run has no spans and a run with telemetry off no telemetry: the line
    says so rather than suggesting the directory is not a run's."""
    run = open_run(str(tmp_path), command="trace", connect=no_stack)
    assert isinstance(run, LocalRun)
    with pytest.raises(RunFileMissingError, match="the reference engine sends no messages"):
        run.spans()
    with pytest.raises(RunFileMissingError, match="unless the run had --telemetry-every off"):
        run.telemetry()

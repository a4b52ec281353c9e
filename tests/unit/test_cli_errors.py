"""Bad input to `lnn train` exits 2 with one line on stderr, before any training."""

from pathlib import Path

import numpy as np
import pytest

from lnn.cli.main import main


def assert_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str], *parts: str) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lnn: error: "), captured.err
    assert "Traceback" not in captured.err
    for part in parts:
        assert part in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "parts"),
    [
        (["--bogus"], ["unrecognized", "--bogus"]),
        (["--layers", "20:foo"], ["'foo'", "unknown activation"]),
        (["--layers", "x:relu"], ["'x:relu'", "UNITS:ACTIVATION"]),
        (["--dataset", "iris", "--layers", "1:sigmoid"], ["3 classes", "3:softmax"]),
        (["--dataset", "iris", "--layers", "2:softmax"], ["3 classes", "2 units"]),
        (["--layers", "3:softmax,1:sigmoid"], ["softmax", "output layer"]),
        (["--layers", "0:relu,1:sigmoid"], ["units"]),
        (["--layers", "20:relu:xx,1:sigmoid"], ["layer 1", "unknown option 'xx'", "'bn'"]),
        (["--layers", "20:relu:bn:bn,1:sigmoid"], ["'20:relu:bn:bn'", "UNITS:ACTIVATION:bn"]),
        (["--layers", "20:relu:bn,1:sigmoid:bn"], ["batch norm", "hidden layers", "output"]),
        (["--bn-momentum", "0"], ["bn_momentum", "greater than 0"]),
        (["--bn-momentum", "1.5"], ["bn_momentum", "less than or equal to 1"]),
        (["--bn-epsilon", "0"], ["bn_epsilon", "greater than 0"]),
        (["--bn-epsilon=-1e-5"], ["bn_epsilon", "greater than 0"]),
        (["--lr", "0"], ["lr"]),
        (["--lr", "-0.5"], ["lr"]),
        (["--dropout", "0"], ["dropout"]),
        (["--epochs", "-1"], ["epochs"]),
        (["--engine", "nowhere"], ["--engine"]),
    ],
)
def test_bad_options_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], parts: list[str]
) -> None:
    argv = ["train", "--engine", "reference", "--out", str(tmp_path / "o"), *args]
    assert_usage_error(capsys, argv, *parts)
    assert not (tmp_path / "o" / "model.npz").exists()


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "absent.npz"
    assert_usage_error(
        capsys, ["train", "--engine", "reference", "--dataset", str(missing)], "absent.npz"
    )


@pytest.mark.parametrize("content", [b"not a zip at all\n", b"PK\x03\x04" + bytes(64)])
def test_corrupt_npz(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    assert_usage_error(capsys, ["train", "--engine", "reference", "--dataset", str(bad)], "bad.npz")


def test_truncated_npz(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    np.savez(good, x=np.zeros((10, 3)), y=np.arange(10) % 2)
    bad = tmp_path / "cut.npz"
    bad.write_bytes(good.read_bytes()[:200])
    assert_usage_error(capsys, ["train", "--engine", "reference", "--dataset", str(bad)], "cut.npz")


def test_samples_and_labels_of_different_length(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "mismatch.npz"
    np.savez(path, x=np.zeros((10, 3)), y=np.arange(9) % 2)
    assert_usage_error(
        capsys, ["train", "--engine", "reference", "--dataset", str(path)], "10 samples"
    )


def test_continuous_targets_need_a_linear_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "regression.csv"
    rows = np.column_stack([np.linspace(0, 1, 30), np.linspace(0.5, 3.7, 30)])
    np.savetxt(path, rows, delimiter=",")
    argv = ["train", "--engine", "reference", "--dataset", str(path), "--layers", "1:sigmoid"]
    assert_usage_error(capsys, argv, "1:linear")


def test_unwritable_out_is_reported_before_training(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["train", "--engine", "reference", "--out", str(blocker / "run")]
    assert_usage_error(capsys, argv, "--out")


def test_cat_without_its_file_names_the_expected_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["train", "--engine", "reference", "--dataset", "cat"]
    files = ("catvnoncat.npz", "train_catvnoncat.h5", "test_catvnoncat.h5")
    monkeypatch.setenv("LNN_DATA_DIR", str(tmp_path / "absent"))
    assert_usage_error(capsys, argv, *files, "LNN_DATA_DIR", str(tmp_path / "absent"))
    monkeypatch.delenv("LNN_DATA_DIR")
    assert_usage_error(capsys, argv, *files, "LNN_DATA_DIR is not set")

"""`lnn train --out` writes telemetry.jsonl; `lnn inspect` reads it back into a table."""

import json
from pathlib import Path

import pytest

from functions.telemetry import loads_records
from lnn.cli.main import main


def _train(tmp_path: Path, *options: str) -> Path:
    out = tmp_path / "run"
    args = ["train", "--engine", "reference", "--json", "--dataset", "moons", "--out", str(out)]
    assert main([*args, "--layers", "6:relu,3:tanh,1:sigmoid", "--epochs", "4", *options]) == 0
    return out


def test_train_out_writes_one_record_per_step_and_layer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = _train(tmp_path, "--batch-size", "100")
    capsys.readouterr()
    records = loads_records((out / "telemetry.jsonl").read_text())
    assert [(r.step, r.telemetry.layer) for r in records[:4]] == [(1, 1), (1, 2), (1, 3), (2, 1)]
    assert len(records) == 3 * 4 * 3  # 3 batches x 4 epochs x 3 layers
    assert {r.batch for r in records} == {0, 1, 2}
    assert all(r.telemetry.whole for r in records)


def test_telemetry_off_writes_no_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _train(tmp_path, "--telemetry-every", "off")
    capsys.readouterr()
    assert (out / "model.npz").exists() and not (out / "telemetry.jsonl").exists()
    assert main(["inspect", str(out / "model.npz")]) == 2  # neither a run nor telemetry


def test_inspect_shows_a_layer_table_and_marks_flags(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = _train(tmp_path, "--init", "zeros")  # zero weights: relu units all dead
    capsys.readouterr()
    assert main(["inspect", str(out), "--json", "--out", str(tmp_path / "copy")]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["epoch"] == 4 and line["steps"] == [4]
    first = line["layers"][0]
    assert first["units"] == 6 and first["dead"] == 6 and first["dead_units"] == list(range(6))
    assert {"dead", "update_ratio_low"} <= {f["kind"] for f in first["flags"]}
    copy = (tmp_path / "copy" / "telemetry.jsonl").read_text()
    assert copy == (out / "telemetry.jsonl").read_text()
    assert main(["inspect", str(out), "--epoch", "1"]) == 0
    table = capsys.readouterr().out
    assert "epoch 1, 1 telemetry step(s)" in table and "6 of 6 units dead" in table
    assert "6 !" in table  # the dead count is marked
    assert main(["inspect", str(out), "--epoch", "9"]) == 2


def test_train_and_inspect_say_when_the_network_predicts_one_class(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = _train(tmp_path, "--init", "zeros")  # the output is 0.5 for every point: "upper"
    verdict = "the network predicts upper for all 300 training points: 0.500 is the share of upper"
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["verdict"] == verdict
    assert main(["inspect", str(out)]) == 0
    assert f"! predictions: after epoch 4, {verdict}" in capsys.readouterr().out
    assert main(["inspect", str(out), "--json"]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["verdict"] == f"predictions: after epoch 4, {verdict}"
    # The telemetry file named on its own has no history beside it: no verdict, no error.
    assert main(["inspect", str(out / "telemetry.jsonl"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["verdict"] is None


def test_a_network_that_learned_gets_no_verdict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = _train(tmp_path, "--lr", "0.5", "--epochs", "60")
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["verdict"] is None
    assert main(["inspect", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["verdict"] is None


def test_inspect_gives_each_dead_unit_a_line_with_its_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A deep relu network at a high learning rate kills units within a few epochs; under half
    # of each layer, so no layer's "dead" flag is raised.
    out = tmp_path / "run"
    args = ["train", "--engine", "reference", "--json", "--dataset", "moons", "--out", str(out)]
    layers = ["--layers", "8:relu,8:relu,8:relu,1:sigmoid", "--lr", "2", "--epochs", "20"]
    assert main([*args, *layers, "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(out), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.splitlines()[-1])["layers"]
    for row in rows:
        dead = [u["unit"] for u in row["unit_verdicts"] if u["dead"]]
        assert dead == row["dead_units"]  # one meaning of dead: the epoch's window
        assert not any(f["kind"] == "dead" for f in row["flags"])
        for unit in row["unit_verdicts"]:
            assert unit["events"] and unit["events"][0]["kind"] == "died"
            assert unit["events"][0]["epoch"] >= 1  # epochs from 1
    assert rows[-1]["unit_verdicts"] == []  # the output layer gets no verdict
    revived = [u for row in rows for u in row["unit_verdicts"] if not u["dead"]]
    assert revived and all(u["events"][-1]["kind"] == "revived" for u in revived)
    assert all(u["reason"].startswith("revived at step") for u in revived)

    assert main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    dead_lines = [line for line in text.splitlines() if line.startswith("! layer ")]
    dead_lines = [line for line in dead_lines if " unit " in line]
    assert len(dead_lines) == sum(len(row["dead_units"]) for row in rows) > 0
    for line in dead_lines:
        assert "dead since step" in line and "Z ≤ 0 on every sample (max Z -" in line
        assert float(line.split("max Z ")[1].split(",")[0]) < 0
    assert f"{len(rows[0]['dead_units'])} !" in text  # a dead unit marks the count


def test_inspect_shows_batch_norm_figures_per_unit_in_text_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "bn"
    args = ["train", "--engine", "reference", "--json", "--dataset", "moons", "--out", str(out)]
    assert main([*args, "--layers", "5:relu:bn,1:sigmoid", "--epochs", "3", "--lr", "0.5"]) == 0
    capsys.readouterr()
    records = [r for r in loads_records((out / "telemetry.jsonl").read_text()) if r.epoch == 2]
    hidden = [r.telemetry for r in records if r.telemetry.layer == 1]
    assert main(["inspect", str(out), "--json"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert "batch_norm" not in layers[1]  # the dense output layer: absent, not zeros
    norm = layers[0]["batch_norm"]
    assert set(norm) == {"gamma", "beta", "batch_mean", "batch_var"}
    # Means over the epoch's steps of what each step recorded.
    gammas = sum(t.norm.mean("gamma") for t in hidden if t.norm is not None) / len(hidden)
    assert norm["gamma"] == pytest.approx(gammas.tolist(), rel=1e-12)
    assert all(v > 0 for v in norm["batch_var"]) and len(norm["beta"]) == 5
    assert main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "layer 1: batch norm per unit, mean over epoch 3" in text
    assert "batch variance of Z" in text and "layer 2: batch norm" not in text
    assert f"{norm['beta'][4]:.4g}" in text

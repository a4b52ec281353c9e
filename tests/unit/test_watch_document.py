"""The watch page's document: what each view shows, computed from a small run."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from watch_runs import config, dead_relu_config, spans_of_steps, watched_run

from functions.telemetry import DEFAULT_SPEC
from functions.telemetry.spans import Span
from functions.training.schedule import evenly
from lnn.cli.main import main
from lnn.telemetry import whole_steps
from lnn.watch.histograms import bin_labels, bin_ranges
from lnn.watch.images import StepNotKeptError
from lnn.watch.numbers import figure, figures, readable
from lnn.watch.report import write_report
from lnn.watch.timeline import TIMELINE_STEPS, timeline_section
from lnn.watch.view import RunView


def test_numbers_round_and_turn_non_finite_into_null() -> None:
    assert figure(0.123456789) == 0.1235
    assert figure(float("nan")) is None and figure(float("inf")) is None
    assert figures(np.array([[1.0, 2.0], [3.0, -np.inf]])) == [1.0, 2.0, 3.0, None]
    assert evenly(5, 10) == [0, 1, 2, 3, 4]
    picked = evenly(1001, 10)
    assert picked[0] == 0 and picked[-1] == 1000 and len(picked) == 10
    assert evenly(7, 1) == [6] and evenly(1, 1) == [0] and evenly(3, 0) == []


def test_bin_labels_name_each_bin_by_a_readable_edge() -> None:
    labels = bin_labels()
    assert len(labels) == len(set(labels)) == DEFAULT_SPEC.bins
    assert labels[DEFAULT_SPEC.zero_bin] == "0"
    assert labels[DEFAULT_SPEC.zero_bin + 1] == "5e-10"  # [2^-32, 2^-31)
    assert labels[0] == "≤-256" and labels[-1] == "≥256"
    # 2^-20, 2^-12, 2^-10, 2^-5, 2^-1, 2^3 as a course learner reads them
    for exponent, label in ((-20, "1e-6"), (-12, "2e-4"), (-10, "0.001"), (-5, "0.03")):
        assert labels[DEFAULT_SPEC.zero_bin + exponent - DEFAULT_SPEC.min_exponent] == label
    assert "-0.06" in labels and "0.5" in labels and "8" in labels
    assert not any("^" in label for label in labels)
    ranges = bin_ranges()
    assert ranges[DEFAULT_SPEC.zero_bin - 5 - DEFAULT_SPEC.min_exponent] == "[0.0156, 0.0312)"
    assert ranges[DEFAULT_SPEC.zero_bin].endswith(": zero") and len(ranges) == len(labels)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.001, "0.001"), (-0.0625, "-0.06"), (2.0**-20, "1e-6"), (1e-5, "1e-5"), (256.0, "256")],
)
def test_readable_numbers(value: float, shown: str) -> None:
    assert readable(value) == shown


def test_network_shows_each_layer_by_shard_with_every_statistic() -> None:
    view, result = watched_run(config())
    network = view.document()["network"]
    assert network["inputs"] == 2
    assert [layer["units"] for layer in network["layers"]] == [5, 1]
    first = network["layers"][0]
    assert [(s["start"], s["stop"], s["lane"]) for s in first["shards"]] == [
        (0, 3, "neuron L1 s0"),
        (3, 5, "neuron L1 s1"),
    ]
    assert set(first["now"]) == set(network["statistics"]) == set(first["history"])
    # one value per unit now, and per unit per telemetry step in its history
    steps = len(network["steps"])
    assert steps == len({r.step for r in result.telemetry}) == 6
    assert all(len(values) == 5 for values in first["now"].values())
    assert all(len(row) == steps for rows in first["history"].values() for row in rows)
    saturation = first["now"]["saturation"]
    assert all(0.0 <= s <= 1.0 for s in saturation)


def test_dead_units_are_marked() -> None:
    view, _ = watched_run(dead_relu_config())
    first = view.document()["network"]["layers"][0]
    assert first["dead"] == [0, 1, 2, 3, 4]
    assert first["now"]["activation"] == [0.0] * 5


def test_saturated_tanh_units_are_marked_and_dead_ones_are_not_saturated() -> None:
    cfg = config(layers=[{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}])
    view, _ = watched_run(cfg.model_copy(update={"lr": 50.0}))  # a huge step drives tanh to ±1
    first = view.document()["network"]["layers"][0]
    fractions = first["now"]["saturation"]
    # a unit saturated on every sample is dead (no slope anywhere), and marked as such only
    expected = [u for u in range(3) if fractions[u] > 0.5 and u not in first["dead"]]
    assert first["saturated"] == expected
    assert first["saturated"] and first["dead"]  # lr 50 saturates some units, kills others


def test_curves_follow_the_history_and_the_schedule() -> None:
    cfg = config(lr_decay=1.0, lr_schedule="inverse_time")
    view, result = watched_run(cfg)
    history = view.document()["history"]
    assert history["epochs"] == [1, 2, 3, 4, 5, 6]
    assert history["cost"] == [figure(h.cost) for h in result.history]
    assert history["train"][2] is not None and history["train"][0] is None  # eval every 3
    assert history["lr"][0] == 0.5 and history["lr"][1] == 0.25  # lr / (1 + decay * epoch)


def test_histograms_keep_the_occupied_bins_of_each_kind() -> None:
    view, result = watched_run(config())
    section = view.document()["histograms"]
    assert set(section["kinds"]) == {"W", "A", "dZ", "dW"}
    layer = section["layers"][0]["kinds"]["W"]
    assert len(layer["counts"]) == len(layer["bins"])
    assert all(len(row) == len(section["steps"]) for row in layer["counts"])
    # every weight of layer 1 (5 x 2) counted at each step
    assert [sum(col) for col in zip(*layer["counts"], strict=True)] == [10] * 6
    records = [r for r in result.telemetry if r.telemetry.layer == 1]
    counts = records[0].telemetry.backward.weights.counts
    first = bin_labels().index(layer["bins"][0])
    assert [row[0] for row in layer["counts"]] == counts[
        first : first + len(layer["bins"])
    ].tolist()


def test_boundary_covers_the_data_with_probabilities() -> None:
    view, _ = watched_run(config())
    boundary = view.document()["boundary"]
    assert boundary["step"] == 6 and boundary["classes"] == 2
    z = np.array(boundary["z"], dtype=float)
    assert z.shape == (len(boundary["y"]), len(boundary["x"])) and ((z >= 0) & (z <= 1)).all()
    assert set(boundary["points"]["label"]) == {0, 1}
    assert view.document()["weights"] is None  # not an image dataset


def test_the_boundarys_points_are_the_training_split_as_its_matrix_counts_them() -> None:
    view, result = watched_run(config(holdout=0.25, epochs=4, eval_every=1))
    x_train, _ = view.examples.splits["train"]
    boundary = view.document()["boundary"]
    wrong = boundary["points"]["wrong"]
    assert len(wrong) == x_train.shape[1]  # the dev holdout is not among them
    np.testing.assert_allclose(boundary["points"]["x"], x_train[0], rtol=1e-3, atol=1e-6)
    # "N of M misclassified" is the train confusion matrix's off-diagonal at the same step
    matrix = np.array(result.history[-1].train_confusion)
    assert sum(wrong) == matrix.sum() - np.trace(matrix) and matrix.sum() == len(wrong)


def _peak_is_drawn_at_its_end(png_uri: str, row: np.ndarray) -> None:
    """The unit's largest |weight| is white in its picture, or black when negative."""
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(base64.b64decode(png_uri.split(",", 1)[1])))
    assert pixels.shape[:2] == (8, 8)
    peak = int(np.argmax(np.abs(row)))
    assert pixels[np.unravel_index(peak, (8, 8))][0] == pytest.approx(float(row[peak] > 0))


def test_first_layer_pictures_of_w_and_its_change_at_every_kept_step() -> None:
    cfg = config(
        "digits",
        layers=[{"units": 4, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=3,
    )
    view, result = watched_run(cfg)
    document = view.document()
    assert document["boundary"] is None and document["inputs"]["images"]
    weights = document["weights"]
    # Full batch, 3 epochs: the init and the 3 steps; the live page asks for each it shows.
    assert weights["steps"] == [0, 1, 2, 3] and weights["init"] and weights["units"] == 4
    assert weights["pictures"] == {} and weights["failed"] == {}
    assert weights["kinds"] == {"w": "W", "change": "W - W(init)"}
    latest = view.weight_pictures(3)
    assert len(latest["w"]) == len(latest["change"]) == 4
    snapshots = result.first_layer
    np.testing.assert_array_equal(snapshots[3], result.params[0]["W"].astype(np.float32))
    _peak_is_drawn_at_its_end(latest["w"][2], snapshots[3][2])
    _peak_is_drawn_at_its_end(latest["change"][2], snapshots[3][2] - snapshots[0][2])
    # Another step, as the page's slider asks the server for it.
    asked = view.weight_pictures(1)
    assert asked["step"] == 1
    _peak_is_drawn_at_its_end(asked["change"][1], snapshots[1][1] - snapshots[0][1])
    with pytest.raises(StepNotKeptError, match="step 7 is not a kept step"):
        view.weight_pictures(7)
    report = view.weights_section(embed=3)
    assert report is not None and list(report["pictures"]) == ["0", "2", "3"]


def test_timeline_keeps_the_recent_steps_in_lanes_and_marks_trouble() -> None:
    spans = spans_of_steps(5)
    late = Span("neuron", "train", "fwd", 4, 0, 1, 1, 1000.9, 1000.95, 2, "duplicate")
    healed = Span("neuron", "train", "bwd", 4, 0, 2, 0, 1001.0, 1001.1, 3, "healed", "crash")
    section = timeline_section([*spans, late, healed])
    assert section["steps"] == [f"train e{e + 1} b0" for e in range(5 - TIMELINE_STEPS, 5)]
    assert section["lanes"] == [
        "neuron L1 s0",
        "neuron L1 s1",
        "neuron L2 s0",
        "neuron L2 s1",
        "loss",
    ]
    per_step = len(spans) // 5
    assert len(section["bars"]) == per_step * TIMELINE_STEPS + 2
    marked = [bar for bar in section["bars"] if bar["marked"]]
    assert [(b["outcome"], b["retry"]) for b in marked] == [("duplicate", True), ("healed", True)]
    assert "(crash)" in marked[1]["label"]
    assert section["counts"] == {"claimed": 20, "completed": 25, "duplicate": 1, "healed": 1}
    assert timeline_section([])["bars"] == []


def test_whole_steps_leaves_out_a_step_caught_halfway() -> None:
    _, result = watched_run(config())
    records = result.telemetry
    assert whole_steps(records, depth=2) == records
    assert whole_steps(records[:-1], depth=2) == records[:-2]


def test_the_view_changes_version_only_when_something_changes() -> None:
    view, result = watched_run(config())
    before = view.document()
    view.add_history(result.history)  # nothing new
    view.add_telemetry(result.telemetry)
    view.update(status=result.status)
    assert view.document()["version"] == before["version"]
    view.update(status="FAILED", reason="stopped")
    after = view.document()
    assert after["version"] > before["version"] and after["status"]["reason"] == "stopped"


def test_a_view_without_a_config_has_only_a_status() -> None:
    document = RunView(engine="endpoint", run_id="r1").document()
    assert set(document) == {"version", "status"} and document["status"]["status"] == "PENDING"


def test_report_is_one_file_without_remote_resources(tmp_path: Path) -> None:
    view, _ = watched_run(config())
    path = write_report(tmp_path, view)
    assert path == tmp_path / "report.html"
    html = path.read_text()
    assert "<script src" not in html and '<link rel="stylesheet"' not in html
    start = html.index("window.LNN_DOCUMENT = ") + len("window.LNN_DOCUMENT = ")
    inline = json.loads(html[start : html.index(";</script>", start)].replace("<\\/", "</"))
    assert inline["network"]["layers"][0]["units"] == 5
    assert "Plotly" in html and "</script" not in html[start : html.index(";</script>", start)]


def test_train_out_writes_the_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["train", "--engine", "reference", "--dataset", "moons", "--epochs", "3", "--json"]
    assert main([*args, "--layers", "3:relu,1:sigmoid", "--out", str(out)]) == 0
    capsys.readouterr()
    html = (out / "report.html").read_text()
    assert '"epochs":[1,2,3]' in html and '"engine":"reference"' in html

"""The page's figures of a batch-normalized layer: each unit's gamma, beta and batch mean and
variance of Z in the diagram (over the last epoch, and per step for a clicked unit) and beta
named in the dead-units section; a dense layer has none."""

import numpy as np
from watch_runs import batch_norm_config, watched_run

from functions.telemetry.figures import NORM_UNIT_FIGURES, norm_units
from lnn.telemetry import epoch_window
from lnn.watch.glossary import TERMS
from lnn.watch.numbers import figures
from lnn.watch.report import report_title


def test_the_diagram_shows_each_batch_normalized_units_figures_now_and_over_the_steps() -> None:
    view, result = watched_run(batch_norm_config())
    network = view.document()["network"]
    assert network["norm_figures"] == NORM_UNIT_FIGURES
    first, second, output = network["layers"]
    assert output["norm"] is None  # the dense output layer: absent, not zeros
    epoch, window = epoch_window(result.telemetry)
    assert network["epoch"] == epoch + 1
    for layer, t in zip((first, second), window, strict=False):
        now = norm_units(t)
        assert now is not None and layer["norm"]["now"] == {k: figures(v) for k, v in now.items()}
    steps = [r for r in result.telemetry if r.telemetry.layer == 2]
    history = second["norm"]["history"]
    assert len(history["batch_var"]) == 3 and len(history["batch_var"][0]) == len(steps)
    last = norm_units(steps[-1].telemetry)
    assert last is not None
    for key in NORM_UNIT_FIGURES:
        assert [row[-1] for row in history[key]] == figures(last[key])
    # Step 1 scales with the initial gamma (ones) and shifts with beta (zeros).
    assert [row[0] for row in history["gamma"]] == [1.0] * 3
    assert [row[0] for row in history["beta"]] == [0.0] * 3
    assert all(np.array(history["batch_var"]).ravel() > 0)


def test_the_header_and_the_dead_units_section_name_batch_norm() -> None:
    view, _ = watched_run(batch_norm_config())
    assert view.status_section()["layers"] == "5:relu:bn,3:relu:bn,1:sigmoid"
    assert report_title(view) == "lnn report: moons 5:relu:bn,3:relu:bn,1:sigmoid"
    layers = view.document()["dead_units"]["layers"]
    assert [layer["bias_name"] for layer in layers] == ["beta", "beta"]
    assert all(" bias " not in v["reason"] for v in view.document()["dead_units"]["verdicts"])
    assert set(NORM_UNIT_FIGURES) <= set(TERMS)

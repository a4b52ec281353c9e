"""What a run leaves in its directory (`lnn train --out`, each trial of `lnn sweep`): the
model, its history, telemetry, timeline, first layer, plots and report.html."""

import json
from pathlib import Path

from functions.training.config import layer_specs
from lnn.engines.base import TrainingResult
from lnn.first_layer import save_first_layer
from lnn.layer_text import layers_text
from lnn.model_file import save_model
from lnn.plots import plot_cost, plot_decision_boundary
from lnn.prepare import PreparedData, split
from lnn.runs import (
    BOUNDARY_PLOT,
    COST_PLOT,
    FIRST_LAYER_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    make_output_dir,
)
from lnn.telemetry import write_telemetry
from lnn.trace import write_spans
from lnn.watch.feeds import result_view
from lnn.watch.report import write_report
from messages.train_request import TrainConfig

__all__ = ["write_run"]


def write_run(
    out: Path,
    result: TrainingResult,
    config: TrainConfig,
    data: PreparedData,
    classes: list[str],
    *,
    engine: str = "reference",
    elapsed_s: float | None = None,
    shared_script: Path | None = None,
) -> Path | None:
    """Write model.npz (None when the run produced no parameters), history.json,
    telemetry.jsonl, spans.jsonl and first_layer.npz (when the run recorded any), plots and
    report.html (loading plotly.js from ``shared_script`` when given: a sweep's trials)."""
    make_output_dir(out, "--out")
    history = [h.model_dump(mode="json") for h in result.history]
    (out / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
    write_telemetry(out, result.telemetry)
    write_spans(out, result.spans)
    save_first_layer(out / FIRST_LAYER_FILE, result.first_layer)
    columns = split(data, holdout=config.holdout, seed=config.seed)
    report = result_view(
        engine,
        config,
        data.x,
        data.y,
        result,
        split=columns,
        classes=tuple(classes),
        elapsed_s=elapsed_s,
    )
    write_report(out, report, shared_script=shared_script)
    title = f"{config.dataset} {layers_text(config.layers)}"
    if history:
        plot_cost(result.history, out / COST_PLOT, title)
    if not result.params:  # a failed run may end before any model exists
        return None
    model_config = {
        **config.model_dump(mode="json"),
        "run_id": result.run_id,
        "n_features": int(data.x.shape[0]),
        "classes": classes,
    }
    model_path = save_model(out / MODEL_FILE, result.params, model_config)
    if data.x.shape[0] == 2:
        specs = layer_specs(config)
        plot_decision_boundary(result.params, specs, data.x, data.y, out / BOUNDARY_PLOT, title)
    return model_path

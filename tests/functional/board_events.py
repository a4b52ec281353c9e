"""A TensorBoard log read back with TensorBoard's own reader, for the export tests."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

# 0 = keep every event: the reader's defaults sample some kinds down to a few.
KEEP_ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "compressedHistograms": 0}


def read_log(run_dir: Path) -> EventAccumulator:
    log = EventAccumulator(str(run_dir), size_guidance=KEEP_ALL)
    log.Reload()
    return log


def scalars(log: EventAccumulator, tag: str) -> dict[int, float]:
    """step -> value; each step at most once."""
    events = log.Scalars(tag)
    assert len({e.step for e in events}) == len(events), f"{tag}: a step written twice"
    return {e.step: e.value for e in events}


def pictures(log: EventAccumulator, tag: str) -> dict[int, np.ndarray]:
    """step -> the image of ``tag`` there, (height, width, 3) uint8; each step at most once."""
    events = log.Images(tag)
    assert len({e.step for e in events}) == len(events), f"{tag}: a step written twice"
    return {
        e.step: np.asarray(Image.open(io.BytesIO(e.encoded_image_string)).convert("RGB"))
        for e in events
    }


def hparams(log: EventAccumulator) -> tuple[dict[str, object], list[str]]:
    """The HParams session a run's directory holds: its settings by name, and the metric
    tags its experiment declares (read with TensorBoard's own hparams plugin metadata)."""
    from google.protobuf.json_format import MessageToDict
    from tensorboard.plugins.hparams import metadata

    contents = log.PluginTagToContent(metadata.PLUGIN_NAME)
    start = metadata.parse_session_start_info_plugin_data(contents[metadata.SESSION_START_INFO_TAG])
    experiment = metadata.parse_experiment_plugin_data(contents[metadata.EXPERIMENT_TAG])
    values = {name: MessageToDict(value) for name, value in start.hparams.items()}
    return values, [m.name.tag for m in experiment.metric_infos]


def run_logs(directory: Path) -> dict[str, EventAccumulator]:
    """The runs of a board's directory by name ("" for the directory itself)."""
    found = {"": read_log(directory)}
    for run in sorted(p for p in directory.iterdir() if p.is_dir()):
        found[run.name] = read_log(run)
    return found


def snapshot(log: EventAccumulator) -> dict[str, Any]:
    """Everything the log holds but the wall times: equal snapshots, equal logs."""
    tags = log.Tags()
    return {
        "scalars": {t: [(e.step, e.value) for e in log.Scalars(t)] for t in tags["scalars"]},
        "histograms": {
            t: [
                (
                    e.step,
                    e.histogram_value.min,
                    e.histogram_value.max,
                    e.histogram_value.num,
                    tuple(e.histogram_value.bucket_limit),
                    tuple(e.histogram_value.bucket),
                )
                for e in log.Histograms(t)
            ]
            for t in tags["histograms"]
        },
        "images": {
            t: [(e.step, e.width, e.height, e.encoded_image_string) for e in log.Images(t)]
            for t in tags["images"]
        },
    }

"""What each unit of each layer does while the network learns, computed by the shard that
owns the units from the arrays it already holds. Pure numpy and the standard library, so it
runs inside the neuron and loss Lambdas; records merge exactly across shards and batches and
travel as small JSON documents. docs/telemetry.md describes the figures and the file format.
"""

from functions.telemetry import figures
from functions.telemetry.arrays import TELEMETRY_VERSION
from functions.telemetry.backward import FIGURES, BackwardStats, backward_telemetry
from functions.telemetry.classes import (
    ClassCounts,
    class_counts,
    counts_classes,
    merge_class_counts,
)
from functions.telemetry.flags import (
    DEAD_FRACTION,
    EXPLODING_RATIO,
    SATURATED_FRACTION,
    UPDATE_RATIO_HIGH,
    UPDATE_RATIO_LOW,
    VANISHING_RATIO,
    Flag,
    flags,
)
from functions.telemetry.forward import ForwardStats, forward_telemetry
from functions.telemetry.histograms import (
    DEFAULT_SPEC,
    Histogram,
    HistogramSpec,
    histogram,
    merge_histograms,
)
from functions.telemetry.layer import LayerTelemetry, merge_batches, merge_shards
from functions.telemetry.norm import NORM_FIGURES, NormStats, norm_telemetry
from functions.telemetry.records import TelemetryRecord, dumps_records, loads_records
from functions.telemetry.saturation import SIGMOID_HIGH, SIGMOID_LOW, TANH_LIMIT, saturated

__all__ = [
    "DEAD_FRACTION",
    "DEFAULT_SPEC",
    "EXPLODING_RATIO",
    "FIGURES",
    "NORM_FIGURES",
    "SATURATED_FRACTION",
    "SIGMOID_HIGH",
    "SIGMOID_LOW",
    "TANH_LIMIT",
    "TELEMETRY_VERSION",
    "UPDATE_RATIO_HIGH",
    "UPDATE_RATIO_LOW",
    "VANISHING_RATIO",
    "BackwardStats",
    "ClassCounts",
    "Flag",
    "ForwardStats",
    "Histogram",
    "HistogramSpec",
    "LayerTelemetry",
    "NormStats",
    "TelemetryRecord",
    "backward_telemetry",
    "class_counts",
    "counts_classes",
    "dumps_records",
    "figures",
    "flags",
    "forward_telemetry",
    "histogram",
    "loads_records",
    "merge_batches",
    "merge_class_counts",
    "merge_histograms",
    "merge_shards",
    "norm_telemetry",
    "saturated",
]

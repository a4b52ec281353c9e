"""The HParams plugin's own summaries, built from its protocol buffers (as tensorboardX
ships them): the experiment with each column's domain, and a session's start and end.

tensorboardX's ``hparams()`` writes an experiment per session and no domains, which suits
one run; a sweep declares one experiment for all its trials, whose domains TensorBoard's
filters and parallel coordinates use, and each trial only starts and ends its session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from lnn.sweep.types import TrialStatus
from lnn.tensorboard.hparams import HParam
from lnn.tensorboard.sweep_hparams import SweepColumn

if TYPE_CHECKING:
    from tensorboardX.proto.summary_pb2 import Summary

# The plugin's names (tensorboard.plugins.hparams.metadata).
PLUGIN_NAME = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"

# How each trial status ends its session; a trial not ended yet has no end (running).
SESSION_STATUS: dict[TrialStatus, str] = {
    TrialStatus.SUCCEEDED: "STATUS_SUCCESS",
    TrialStatus.STOPPED: "STATUS_SUCCESS",  # stopped as designed: final/epochs says when
    TrialStatus.FAILED: "STATUS_FAILURE",
    TrialStatus.CANCELLED: "STATUS_FAILURE",
}


def _summary(tag: str, **data: object) -> Summary:
    from tensorboardX.proto.plugin_hparams_pb2 import HParamsPluginData
    from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata

    content = HParamsPluginData(version=0, **data).SerializeToString()
    plugin = SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME, content=content)
    return Summary(value=[Summary.Value(tag=tag, metadata=SummaryMetadata(plugin_data=plugin))])


def _data_type(value: HParam) -> str:
    if isinstance(value, bool):
        return "DATA_TYPE_BOOL"
    return "DATA_TYPE_STRING" if isinstance(value, str) else "DATA_TYPE_FLOAT64"


def experiment_summary(columns: Sequence[SweepColumn], metrics: Sequence[str]) -> Summary:
    """The experiment: a column per hparam with its type and domain, then the metrics."""
    from google.protobuf.struct_pb2 import ListValue
    from tensorboardX.proto.api_pb2 import (
        DataType,
        Experiment,
        HParamInfo,
        Interval,
        MetricInfo,
        MetricName,
    )

    infos = []
    for c in columns:
        info = HParamInfo(name=c.name)
        if c.interval is not None:
            info.type = DataType.Value("DATA_TYPE_FLOAT64")
            info.domain_interval.CopyFrom(
                Interval(min_value=c.interval[0], max_value=c.interval[1])
            )
        else:
            info.type = DataType.Value(_data_type(c.values[0]))
            listed = ListValue()
            listed.extend(c.values)
            info.domain_discrete.CopyFrom(listed)
        infos.append(info)
    experiment = Experiment(
        hparam_infos=infos, metric_infos=[MetricInfo(name=MetricName(tag=m)) for m in metrics]
    )
    return _summary(EXPERIMENT_TAG, experiment=experiment)


def session_summaries(hparams: Mapping[str, HParam], status: TrialStatus) -> list[Summary]:
    """A trial's session: its start with its values, and its end unless it is running."""
    from tensorboardX.proto.api_pb2 import Status
    from tensorboardX.proto.plugin_hparams_pb2 import SessionEndInfo, SessionStartInfo

    start = SessionStartInfo()
    for name, value in hparams.items():
        if isinstance(value, bool):
            start.hparams[name].bool_value = value
        elif isinstance(value, str):
            start.hparams[name].string_value = value
        else:
            start.hparams[name].number_value = float(value)
    summaries = [_summary(SESSION_START_INFO_TAG, session_start_info=start)]
    if status in SESSION_STATUS:
        end = SessionEndInfo(status=Status.Value(SESSION_STATUS[status]))
        summaries.append(_summary(SESSION_END_INFO_TAG, session_end_info=end))
    return summaries

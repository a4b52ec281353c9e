"""The page's document: every section, built from what a RunView knows. The view keeps the
state and its versions (lnn.watch.view); this module says which section is drawn from what.

Sections drawn from the latest parameters (``parameter_sections``) cost a forward pass or
more each, so the view rebuilds them only when the parameters' step moves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.nn.types import Array, Params
from functions.training.config import layer_specs
from lnn.majority import sample_noun
from lnn.watch.boundary import boundary_section
from lnn.watch.curves import history_section, layer_curves_section
from lnn.watch.dead_units import dead_units_section, find_dead_units
from lnn.watch.example_grid import example_grid_pictures_section, example_grid_section
from lnn.watch.examples import Examples
from lnn.watch.histograms import histogram_section
from lnn.watch.network import network_section
from lnn.watch.predictions import predictions_section
from lnn.watch.sample_path import sample_path_section, sample_pictures_section
from lnn.watch.timeline import run_plan, timeline_section
from lnn.watch.unit_maps import unit_maps_section
from messages.train_request import TrainConfig

if TYPE_CHECKING:
    from lnn.watch.view import RunView

# Sections of the samples' pictures: they do not change with the parameters, so they are
# built once (again only when the examples change), the first time the parameters are drawn.
PICTURE_SECTIONS = ("sample_pictures", "example_grid_pictures")

__all__ = ["PICTURE_SECTIONS", "build_document", "parameter_sections"]


def parameter_sections(
    config: TrainConfig,
    step: int,
    params: Params,
    points: tuple[Array, Array] | None,
    examples: Examples | None,
    shape: tuple[int, ...] | None,
    *,
    pictures: bool,
) -> dict[str, Any]:
    """The views of the parameters after ``step``: the boundary and the unit maps over the
    2-D ``points``, each sample's path, and for pictures (``shape``) the grid of examples and,
    with ``pictures``, the PICTURE_SECTIONS (they do not change with the parameters)."""
    specs = layer_specs(config)
    built: dict[str, Any] = {}
    if points is not None:
        x, y = points
        classes = () if examples is None else examples.classes
        built["boundary"] = boundary_section(params, specs, x, y, step, classes)
        built["unit_maps"] = unit_maps_section(params, specs, x, y, step, classes)
    if examples is not None:
        built["sample_path"] = sample_path_section(params, specs, examples, step)
    if examples is not None and shape is not None:
        built["example_grid"] = example_grid_section(params, specs, examples, step)
        if pictures:
            built["sample_pictures"] = sample_pictures_section(examples, shape)
            built["example_grid_pictures"] = example_grid_pictures_section(examples, shape)
    return built


def build_document(view: RunView) -> dict[str, Any]:
    """Every section of ``view``'s page (the caller holds its lock); none before the run's
    configuration is known."""
    config = view.config
    if config is None:
        return {}
    series = view.series
    has_telemetry = bool(series.steps)
    found = find_dead_units(series.records)
    verdicts = () if found is None else found.verdicts
    drawn = view.parameter_views()
    noun = sample_noun(config.dataset, view.n_features)
    plan = run_plan(view.run_id, config, view.n_features, view.eval_sizes)
    return {
        "network": network_section(config, view.n_features, series, verdicts),
        "dead_units": dead_units_section(found),
        "history": history_section(config, view.history),
        "predictions": predictions_section(view.history, view.examples, noun),
        "layer_curves": layer_curves_section(series) if has_telemetry else None,
        "histograms": histogram_section(series) if has_telemetry else None,
        "boundary": drawn.get("boundary"),
        "weights": view.weights_section(),
        "unit_maps": drawn.get("unit_maps"),
        "sample_path": drawn.get("sample_path"),
        "sample_pictures": drawn.get("sample_pictures"),
        "example_grid": drawn.get("example_grid"),
        "example_grid_pictures": drawn.get("example_grid_pictures"),
        "timeline": timeline_section(view.spans, plan),
        "inputs": {
            "two_d": view.points is not None,
            "images": view.picture_shape() is not None,
            "examples": view.examples is not None,
            "spans": view.engine != "reference",
        },
    }

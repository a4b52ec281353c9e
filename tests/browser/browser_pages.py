"""Reading the watch page the way a person would: texts, the diagram's points, clicks."""

from dataclasses import dataclass, field
from typing import Any

TIMEOUT_MS = 60_000


@dataclass
class Tab:
    """A page in a fresh browser context, with what its console said."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)


PLOTS = (
    "network-plot",
    "cost-plot",
    "accuracy-plot",
    "lr-plot",
    "update-ratio-plot",
    "grad-rms-plot",
    "histogram-plot",
    "boundary-plot",
    "timeline-plot",
)


def text(page: Any, element: str) -> str:
    return str(page.locator(f"#{element}").inner_text())


def drawn(page: Any, plot: str) -> bool:
    """Plotly drew the plot: its SVG is there and holds traces."""
    return bool(
        page.evaluate(
            f"() => {{ const g = document.getElementById('{plot}');"
            " return !!g.querySelector('.main-svg') && (g.data || []).length > 0; }"
        )
    )


def diagram(page: Any) -> dict[str, Any]:
    """The diagram's columns (tick labels) and its unit markers, from Plotly's own state."""
    return dict(
        page.evaluate(
            "() => { const g = document.getElementById('network-plot');"
            " const units = g.data.find(t => t.name === 'units');"
            " return {columns: g.layout.xaxis.ticktext, units: units.x.length,"
            " custom: units.customdata}; }"
        )
    )


def click_unit(page: Any, index: int) -> None:
    """Click the diagram's ``index``-th unit marker where it is drawn on the screen."""
    markers = page.locator("#network-plot .scatterlayer .trace").nth(2).locator("path.point")
    box = markers.nth(index).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

"""Reading the watch page the way a person would: texts, the diagram's points, clicks."""

from dataclasses import dataclass, field
from pathlib import Path
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


def open_report(tab: Tab, report: Path, status: str = "SUCCEEDED") -> Any:
    """Open report.html from disk and wait until its document is drawn (the run's status)."""
    tab.page.goto(report.as_uri())
    tab.page.wait_for_function(
        f"() => document.getElementById('run-status').textContent === '{status}'",
        timeout=TIMEOUT_MS,
    )
    return tab.page


def weight_sources(page: Any) -> list[str]:
    """The weights section's pictures, as their data URIs."""
    return list(
        page.evaluate("() => [...document.querySelectorAll('#weights-grid img')].map(i => i.src)")
    )


def slide_weights(page: Any, index: int) -> None:
    """Move the weights section's step slider to ``index`` as a hand would (an input event)."""
    page.evaluate(
        "(i) => { const s = document.getElementById('weights-slider'); s.value = String(i);"
        " s.dispatchEvent(new Event('input')); }",
        index,
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


def click_bar(page: Any, layer: int, shard: int, direction: str, phase: str = "train") -> None:
    """Click, where it is drawn, the last bar of that shard's lane whose task went
    ``direction`` and whose middle no other bar of the lane covers (bars overlap where
    deliveries ran at once), and wait for the panel to show it."""
    lane = f"neuron L{layer} s{shard}"
    trace, point = page.evaluate(
        """([lane, direction, phase]) => {
          const g = document.getElementById('timeline-plot'), bars = window.LNN.doc.timeline.bars;
          const drawn = [];
          g.data.forEach((t, c) => { if (t.type !== 'bar') return;
            t.customdata.forEach((i, p) => drawn.push({c: c, p: p, bar: bars[i],
              from: t.base[p], to: t.base[p] + t.x[p]})); });
          const mid = d => (d.from + d.to) / 2;
          const clear = d => !drawn.some(o => o !== d && o.bar.lane === d.bar.lane &&
            o.from <= mid(d) && mid(d) <= o.to);
          let found = null;
          drawn.forEach(d => { const f = d.bar.details;
            if (d.bar.lane === lane && f.direction === direction && f.phase === phase && clear(d))
              found = [d.c, d.p]; });
          return found; }""",
        [lane, direction, phase],
    )
    bar = page.locator("#timeline-plot .barlayer .trace").nth(trace).locator("path").nth(point)
    bar.scroll_into_view_if_needed()
    # The middle of the bar's own shape: its bounding box on the screen includes the outline.
    x, y = bar.evaluate(
        "p => { const r = p.getBBox(), m = p.getScreenCTM();"
        " return [m.e + m.a * (r.x + r.width / 2), m.f + m.d * (r.y + r.height / 2)]; }"
    )
    page.mouse.click(x, y)
    page.wait_for_function(
        "t => document.getElementById('timeline-detail-title').textContent.startsWith(t)",
        arg=f"{phase} {direction}, layer {layer}, shard {shard}",
        timeout=TIMEOUT_MS,
    )

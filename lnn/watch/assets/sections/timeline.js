// The message timeline: one bar per delivery of a shard task, its legend in words, and the
// clicked bar's task with what it computed (the document's details, written in Python).
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  var OUTCOME_COLOURS = {
    claimed: "#9ab", completed: "#4a7", duplicate: "#e90", healed: "#a4c",
    failed: "#d33", dead_lettered: "#000"
  };
  var LOSS_MARK = "J";  // the marker on the bars that compute the cost (legend.loss says so)
  var FACTS = [
    ["run", "run"], ["epoch", "epoch"], ["batch", "batch"], ["step", "step"], ["phase", "phase"],
    ["direction", "direction"], ["layer", "layer"], ["shard", "shard"], ["units", "units"],
    ["samples", "samples"], ["delivery", "delivery"], ["outcome", "outcome"], ["error", "error"],
    ["started", "started"], ["start_s", "start (s)"], ["duration_s", "duration (s)"]
  ];
  var shown = [], element = L.el;

  function renderLegend(legend) {
    var box = $("timeline-legend");
    box.replaceChildren(element("p", legend.lanes));
    var outcomes = document.createElement("ul");
    legend.outcomes.forEach(function (o) {
      var item = document.createElement("li"), swatch = element("span", "", "swatch");
      swatch.style.background = OUTCOME_COLOURS[o.outcome] || "#888";
      item.append(swatch, element("b", o.outcome), " " + o.meaning);
      outcomes.append(item);
    });
    box.append(outcomes, element("p", legend.outline), element("p", legend.loss),
      element("p", legend.notation));
  }

  function renderDetail(bar) {
    var d = bar.details, epoch = d.epochs ? d.epoch + " of " + d.epochs : d.epoch;
    $("timeline-detail").classList.remove("hidden");
    text("timeline-detail-title", d.phase + " " + d.direction + (d.layer ? ", layer " + d.layer : "") +
      (d.shard !== null ? ", shard " + d.shard : "") + ": " + d.outcome);
    var facts = $("timeline-detail-facts");
    facts.replaceChildren();
    FACTS.forEach(function (f) {
      var value = f[0] === "epoch" ? epoch : d[f[0]];
      if (value === null || value === undefined) return;
      facts.append(element("dt", f[1]), element("dd", String(value)));
    });
    text("timeline-detail-loss", d.loss ? "This task computed the cost J." : "");
    $("timeline-math").textContent = d.math.join("\n");
  }

  var least = 0;  // the narrowest a bar is drawn, in seconds

  // The bar drawn under the mouse: Plotly's nearest point on a click can be another lane's
  // bar or a star, so the click's own place on the axes decides (the lane it is in, then the
  // last bar of that lane covering its time). It reads Plotly internals (_fullLayout, the
  // axes' p2c and _categories, the .nsewdrag area): should a Plotly update change them, it
  // finds nothing and the click falls back to the clicked point's customdata.
  function barAt(mouse) {
    var plot = $("timeline-plot"), full = plot._fullLayout, area = plot.querySelector(".nsewdrag");
    if (!mouse || !full || !area) return null;
    var box = area.getBoundingClientRect();
    var x = full.xaxis.p2c(mouse.clientX - box.left), row = Math.round(full.yaxis.p2c(mouse.clientY - box.top));
    var lane = full.yaxis._categories[row], found = null;
    shown.forEach(function (b) {
      if (b.lane === lane && b.start <= x && x <= b.start + Math.max(b.duration, least)) found = b;
    });
    return found;
  }

  function renderTimeline(t, inputs) {
    var why = !inputs.spans ? "The reference engine passes no messages." :
      !t.bars.length ? "No spans recorded yet." : null;
    $("timeline-legend").classList.toggle("hidden", !!why);
    if (empty("timeline", why)) return;
    renderLegend(t.legend);
    shown = t.bars;
    text("timeline-steps", "last " + t.steps.length + " passes: " + t.steps.join(", "));
    // The counts are the whole run's, the plot only its last passes: the label says so.
    $("timeline-counts").textContent = "deliveries so far: " + Object.keys(t.counts).map(function (k) {
      return k + " " + t.counts[k];
    }).join(", ");
    // A bar of a few hundred microseconds would be a hairline on a run's seconds: each is
    // drawn at least 0.5 % of the axis wide, so it shows and takes a click (hover and the
    // panel give its duration).
    var end = Math.max.apply(null, t.bars.map(function (b) { return b.start + b.duration; }));
    least = Math.max(end * 0.005, 0.0005);
    var outcomes = {};
    t.bars.forEach(function (bar, i) { (outcomes[bar.outcome] = outcomes[bar.outcome] || []).push(i); });
    var traces = Object.keys(outcomes).map(function (outcome) {
      var bars = outcomes[outcome].map(function (i) { return t.bars[i]; });
      return { type: "bar", orientation: "h", name: outcome, customdata: outcomes[outcome],
        y: bars.map(function (b) { return b.lane; }), base: bars.map(function (b) { return b.start; }),
        x: bars.map(function (b) { return Math.max(b.duration, least); }),
        hovertext: bars.map(function (b) { return b.label; }), hoverinfo: "text",
        marker: { color: OUTCOME_COLOURS[outcome] || "#888",
          line: { color: bars.map(function (b) { return b.marked ? "#d00" : "rgba(0,0,0,0)"; }), width: 2 } } };
    });
    var losses = [];
    t.bars.forEach(function (b, i) { if (b.details.loss) losses.push(i); });
    if (losses.length) {
      var at = losses.map(function (i) { return t.bars[i]; });
      traces.push({ type: "scatter", mode: "markers+text", name: "loss stage: cost J",
        customdata: losses, text: at.map(function () { return LOSS_MARK; }), textposition: "top center",
        x: at.map(function (b) { return b.start + Math.max(b.duration, least) / 2; }), y: at.map(function (b) { return b.lane; }),
        hovertext: at.map(function (b) { return "cost J computed here: " + b.label; }), hoverinfo: "text",
        marker: { symbol: "star", size: 12, color: "#c60" } });
    }
    draw("timeline-plot", traces, { barmode: "overlay", hovermode: "closest",
      height: Math.max(260, 22 * t.lanes.length + 80),
      yaxis: { categoryorder: "array", categoryarray: t.lanes.slice().reverse(), automargin: true },
      xaxis: { title: { text: "seconds since the first shown task" } } });
    L.onClick("timeline-plot", function (event) {
      var bar = barAt(event.event), point = event.points[0];
      if (bar) renderDetail(bar);
      else if (point && shown[point.customdata]) renderDetail(shown[point.customdata]);
    });
  }

  L.section(["timeline"], function (d) { renderTimeline(d.timeline, d.inputs); });
})();

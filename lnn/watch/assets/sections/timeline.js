// The message timeline: one bar per delivery of a shard task.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  var OUTCOME_COLOURS = {
    claimed: "#9ab", completed: "#4a7", duplicate: "#e90", healed: "#a4c",
    failed: "#d33", dead_lettered: "#000"
  };

  function renderTimeline(t, inputs) {
    var why = !inputs.spans ? "The reference engine passes no messages." :
      !t.bars.length ? "No spans recorded yet." : null;
    if (empty("timeline", why)) return;
    text("timeline-steps", t.steps.join(", "));
    $("timeline-counts").textContent = Object.keys(t.counts).map(function (k) {
      return k + " " + t.counts[k];
    }).join(", ");
    var outcomes = {};
    t.bars.forEach(function (bar) { (outcomes[bar.outcome] = outcomes[bar.outcome] || []).push(bar); });
    var traces = Object.keys(outcomes).map(function (outcome) {
      var bars = outcomes[outcome];
      return { type: "bar", orientation: "h", name: outcome,
        y: bars.map(function (b) { return b.lane; }), base: bars.map(function (b) { return b.start; }),
        x: bars.map(function (b) { return Math.max(b.duration, 0.0005); }),
        hovertext: bars.map(function (b) { return b.label; }), hoverinfo: "text",
        marker: { color: OUTCOME_COLOURS[outcome] || "#888",
          line: { color: bars.map(function (b) { return b.marked ? "#d00" : "rgba(0,0,0,0)"; }), width: 2 } } };
    });
    draw("timeline-plot", traces, { barmode: "overlay", height: Math.max(260, 22 * t.lanes.length + 80),
      yaxis: { categoryorder: "array", categoryarray: t.lanes.slice().reverse(), automargin: true },
      xaxis: { title: { text: "seconds since the first shown task" } } });
  }

  L.section(["timeline"], function (d) { renderTimeline(d.timeline, d.inputs); });
})();

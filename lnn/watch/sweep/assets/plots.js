// The sweep's plots: every trial's cost per epoch (the halving's rungs marked), parallel
// coordinates of the searched values against the metric, final cost against the learning rate.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$;
  var STATUS_COLOURS = { SUCCEEDED: "#2a9d2a", STOPPED: "#e08a00", FAILED: "#c62828",
    CANCELLED: "#777", RUNNING: "#1f6fd0", PENDING: "#bbb" };

  function trialCount(d) { return d.table ? d.table.rows.length : 1; }

  function renderCurves(c, count) {
    if (L.empty("curves", c.why)) return;
    var traces = c.trials.map(function (t) {
      return { x: t.epochs, y: t.cost, name: t.name, mode: "lines",
        line: { color: L.trialColour(t.index, count), width: 1.6 },
        text: t.epochs.map(function () { return t.label; }),
        hovertemplate: "<b>" + t.name + "</b> %{text}<br>epoch %{x}: cost %{y}<extra></extra>" };
    });
    var rungs = c.rungs.map(function (epoch) {
      return { type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1,
        line: { color: "#999", dash: "dash", width: 1 } };
    });
    var labels = c.rungs.map(function (epoch) {
      return { x: epoch, y: 1, xref: "x", yref: "paper", yanchor: "bottom", showarrow: false,
        text: "rung " + epoch, font: { size: 10, color: "#666" } };
    });
    L.draw("sweep-cost-plot", traces, { shapes: rungs, annotations: labels,
      margin: { l: 60, r: 20, t: 20, b: 40 }, legend: { orientation: "v" },
      xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: "cost" + (c.log_y ? " (log)" : "") }, type: c.log_y ? "log" : "linear" } });
  }

  function renderParallel(p) {
    if (L.empty("parallel", p.why)) { L.text("parallel-note", ""); return; }
    L.text("parallel-metric", p.metric);
    var dimensions = p.dimensions.map(function (d) {
      var axis = { label: d.label + (d.log ? " (log)" : ""), values: d.values };
      if (d.tickvals) { axis.tickvals = d.tickvals; axis.ticktext = d.ticktext; }
      if (d.range) axis.range = d.range;
      return axis;
    });
    L.draw("parallel-plot", [{ type: "parcoords", dimensions: dimensions,
      line: { color: p.scores, colorscale: "Viridis", reversescale: !p.higher_better,
        showscale: true, colorbar: { title: { text: p.metric } } } }],
      { margin: { l: 60, r: 60, t: 50, b: 30 } });
    L.text("parallel-note", p.trials.length + " trial(s) drawn, coloured by " + p.metric +
      (p.higher_better ? " (brighter is better)" : " (brighter is lower)") +
      (p.left_out ? "; " + p.left_out + " not ended or without one are left out." : "."));
  }

  // A log axis labels only its powers of ten when the values span a decade or more (its
  // default labels 2 and 5 of each decade as well, crowding it).
  function logAxis(title, values) {
    var axis = { type: "log", title: { text: title }, exponentformat: "e" };
    if (Math.max.apply(null, values) / Math.min.apply(null, values) >= 10) axis.dtick = 1;
    return axis;
  }

  function renderLrCost(r) {
    if (L.empty("lr-cost", r.why)) return;
    var statuses = [];
    r.points.forEach(function (p) { if (statuses.indexOf(p.status) < 0) statuses.push(p.status); });
    var traces = statuses.map(function (status) {
      var points = r.points.filter(function (p) { return p.status === status; });
      return { x: points.map(function (p) { return p.lr; }), y: points.map(function (p) { return p.cost; }),
        name: status, mode: "markers", marker: { size: 10, color: STATUS_COLOURS[status] || "#333" },
        text: points.map(function (p) { return "<b>" + p.name + "</b> " + p.label; }),
        hovertemplate: "%{text}<br>lr %{x}, final cost %{y}<extra></extra>" };
    });
    L.draw("lr-cost-plot", traces, {
      xaxis: logAxis("learning rate (log)", r.points.map(function (p) { return p.lr; })),
      yaxis: logAxis("final cost (log)", r.points.map(function (p) { return p.cost; })),
      legend: { orientation: "v" } });
  }

  L.section(["curves"], function (d) { renderCurves(d.curves, trialCount(d)); });
  L.section(["parallel"], function (d) { renderParallel(d.parallel); });
  L.section(["lr_cost"], function (d) { renderLrCost(d.lr_cost); });
})();

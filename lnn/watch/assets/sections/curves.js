// Cost, accuracy and learning rate per epoch.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, draw = L.draw, empty = L.empty;

  // The three plots share one epoch axis, half an epoch past each end so that the first and
  // last markers show whole: stacked, their epochs line up.
  function epochAxis(h, status) {
    var last = Math.max(h.epochs[h.epochs.length - 1], (status && status.epochs) || 0);
    return { title: { text: "epoch" }, range: [0.5, last + 0.5] };
  }

  // Accuracy is a fraction: its axis is always 0-1, and only the run's splits have a trace.
  function renderAccuracy(h, xaxis) {
    var why = h.no_accuracy;
    $("accuracy-plot").classList.toggle("hidden", !!why);
    $("accuracy-empty").classList.toggle("hidden", !why);
    $("accuracy-empty").textContent = why || "";
    if (why) return;
    var accuracy = h.splits.map(function (part) {
      return { x: h.epochs, y: h[part], name: part, mode: "lines+markers", connectgaps: true };
    });
    draw("accuracy-plot", accuracy, { xaxis: xaxis,
      yaxis: { title: { text: "accuracy" }, range: [0, 1.02], tickformat: ".1f" } });
  }

  // A decaying rate spans decades (a log axis); a constant one would show a log axis' minor
  // ticks around a flat line, so it gets a linear axis and its value in the title.
  function renderRate(h, xaxis) {
    var rates = h.lr.filter(function (v) { return v !== null; });
    var constant = rates.length > 0 && rates.every(function (v) { return v === rates[0]; });
    var extra = { xaxis: xaxis, yaxis: { type: "log", exponentformat: "e", title: { text: "learning rate" } } };
    if (constant) {
      // Plotly spans a flat line by ±1: from 0 to twice the rate, the line sits mid-plot.
      extra.yaxis = { title: { text: "learning rate" }, range: [0, 2 * rates[0]] };
      extra.title = { text: "learning rate (constant α = " + rates[0] + ")", font: { size: 12 },
        x: 0.5, y: 0.98, yanchor: "top" };
      extra.margin = { l: 60, r: 20, t: 26, b: 40 };
    }
    draw("lr-plot", [{ x: h.epochs, y: h.lr, name: "learning rate", mode: "lines" }], extra);
  }

  function renderCurves(h, status) {
    if (empty("curves", h.epochs.length ? null : "No epoch has finished yet.")) return;
    // Plotly keeps (and may change) a layout's objects: each plot gets its own axis.
    draw("cost-plot", [{ x: h.epochs, y: h.cost, name: "cost", mode: "lines" }],
      { xaxis: epochAxis(h, status), yaxis: { title: { text: "cost" } } });
    renderAccuracy(h, epochAxis(h, status));
    renderRate(h, epochAxis(h, status));
  }

  L.section(["history"], function (d) { renderCurves(d.history, d.status); });
})();

// Cost, accuracy and learning rate per epoch.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;

  // Accuracy is a fraction: its axis is always 0-1, and only the run's splits have a trace.
  function renderAccuracy(h) {
    var why = h.no_accuracy;
    $("accuracy-plot").classList.toggle("hidden", !!why);
    $("accuracy-empty").classList.toggle("hidden", !why);
    $("accuracy-empty").textContent = why || "";
    if (why) return;
    var accuracy = h.splits.map(function (part) {
      return { x: h.epochs, y: h[part], name: part, mode: "lines+markers", connectgaps: true };
    });
    draw("accuracy-plot", accuracy, { xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: "accuracy" }, range: [0, 1.02], tickformat: ".1f" } });
  }

  function renderCurves(h) {
    if (empty("curves", h.epochs.length ? null : "No epoch has finished yet.")) return;
    draw("cost-plot", [{ x: h.epochs, y: h.cost, name: "cost", mode: "lines" }],
      { xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "cost" } } });
    renderAccuracy(h);
    draw("lr-plot", [{ x: h.epochs, y: h.lr, name: "learning rate", mode: "lines" }],
      { xaxis: { title: { text: "epoch" } }, yaxis: { type: "log", exponentformat: "e", title: { text: "learning rate" } } });
  }

  L.section(["history"], function (d) { renderCurves(d.history); });
})();

// Cost, accuracy and learning rate per epoch.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;

  function renderCurves(h) {
    if (empty("curves", h.epochs.length ? null : "No epoch has finished yet.")) return;
    draw("cost-plot", [{ x: h.epochs, y: h.cost, name: "cost", mode: "lines" }],
      { xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "cost" } } });
    var accuracy = ["train", "dev", "test"].map(function (part) {
      return { x: h.epochs, y: h[part], name: part, mode: "lines+markers", connectgaps: true };
    });
    draw("accuracy-plot", accuracy, { xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "accuracy" } } });
    draw("lr-plot", [{ x: h.epochs, y: h.lr, name: "learning rate", mode: "lines" }],
      { xaxis: { title: { text: "epoch" } }, yaxis: { type: "log", title: { text: "learning rate" } } });
  }

  L.section(["history"], function (d) { renderCurves(d.history); });
})();

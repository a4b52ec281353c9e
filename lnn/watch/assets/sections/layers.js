// Per-layer figures over the telemetry steps.
(function () {
  "use strict";
  var L = window.LNN, draw = L.draw, empty = L.empty;

  function renderLayers(curves, status) {
    if (empty("layers", curves ? null : L.noTelemetry(status))) return;
    var lines = function (key) {
      return curves.layers.map(function (l) {
        return { x: curves.steps, y: l[key], name: "layer " + l.layer, mode: "lines" };
      });
    };
    // Which figure goes in which plot is the document's (lnn/watch/curves.py LAYER_PLOTS).
    curves.plots.forEach(function (p) {
      draw(p.plot, L.logSeries(lines(p.figure)),
        { yaxis: { type: "log", exponentformat: "e", title: { text: p.label } }, xaxis: { title: { text: "step" } } });
    });
  }

  L.section(["layer_curves"], function (d) { renderLayers(d.layer_curves, d.status); });
})();

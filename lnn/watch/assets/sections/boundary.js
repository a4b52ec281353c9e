// The decision boundary of 2-D data.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;

  function renderBoundary(b, inputs) {
    var why = !inputs.two_d ? "Only for 2-D inputs." : !b ? "No parameters read yet." : null;
    if (empty("boundary", why)) return;
    text("boundary-step", "at step " + b.step);
    var binary = b.classes === 2;
    draw("boundary-plot", [
      { type: "contour", x: b.x, y: b.y, z: b.z, colorscale: "RdBu", reversescale: true,
        zmin: 0, zmax: binary ? 1 : b.classes - 1, opacity: 0.6, name: binary ? "P(class 1)" : "class",
        contours: binary ? { start: 0, end: 1, size: 0.1 } : {}, showscale: true },
      { type: "scatter", mode: "markers", x: b.points.x, y: b.points.y, name: "training points",
        marker: { color: b.points.label, colorscale: "RdBu", reversescale: true, size: 6,
          line: { color: "#222", width: 0.5 } } }
    ], { yaxis: { scaleanchor: "x" }, showlegend: false });
    L.emitClicks("boundary-plot", "point");  // a click picks the sample whose path is shown
  }

  L.section(["boundary"], function (d) { renderBoundary(d.boundary, d.inputs); });
})();

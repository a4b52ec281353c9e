// The decision boundary of 2-D data.
(function () {
  "use strict";
  var L = window.LNN, text = L.text, draw = L.draw, empty = L.empty;

  // The points the network gets wrong, circled over their own marker.
  function misclassified(points) {
    var wrong = (points.wrong || []).map(function (w, i) { return w ? i : -1; })
      .filter(function (i) { return i >= 0; });
    return { type: "scatter", mode: "markers", name: "misclassified",
      x: wrong.map(function (i) { return points.x[i]; }),
      y: wrong.map(function (i) { return points.y[i]; }),
      marker: { symbol: "circle-open", size: 13, color: "#111", line: { width: 2 } } };
  }

  function renderBoundary(b, inputs) {
    var why = !inputs.two_d ? "Only for 2-D inputs." : !b ? "No parameters read yet." : null;
    if (empty("boundary", why)) return;
    text("boundary-step", "at step " + b.step);
    var binary = b.classes === 2, classes = L.scale(L.CLASS_STOPS);
    var name = binary ? "P(" + b.class_names[1] + ")" : "class";
    L.classLegend("boundary-classes", b.class_names);
    draw("boundary-plot", [
      { type: "contour", x: b.x, y: b.y, z: b.z, colorscale: classes,
        zmin: 0, zmax: binary ? 1 : b.classes - 1, opacity: 0.6, name: name,
        contours: binary ? { start: 0, end: 1, size: 0.1 } : {}, showscale: true,
        colorbar: { title: { text: name, side: "right" } } },
      { type: "scatter", mode: "markers", x: b.points.x, y: b.points.y, name: "training points",
        marker: { color: b.points.label, colorscale: classes, cmin: 0, cmax: b.classes - 1, size: 6,
          line: { color: "#222", width: 0.5 } } },
      misclassified(b.points)
    ], { yaxis: { scaleanchor: "x" }, showlegend: false });
    L.emitClicks("boundary-plot", "point");  // a click picks the sample whose path is shown
    var wrong = (b.points.wrong || []).filter(Boolean).length;
    text("boundary-wrong", b.points.wrong ? wrong + " of " + b.points.wrong.length +
      " points misclassified (circled)" : "");
  }

  L.section(["boundary"], function (d) { renderBoundary(d.boundary, d.inputs); });
})();

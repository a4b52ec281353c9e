// Each unit's activation over the input plane (2-D inputs), TensorFlow Playground's view: small
// maps by layer, one enlarged on click; the output layer's map is the decision boundary.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  // P of a single sigmoid output runs along the classes' colours, as on the boundary; any
  // other range around 0 diverges from white at 0 (L.SIGN_STOPS), a range from 0 runs up.
  var MISSING = [190, 190, 190];  // a value that is not a number (NaN, inf)
  var chosen = null;  // [layer index, unit] enlarged; the output's first until a click

  function probability(m, layer) {
    return layer.layer === m.layers.length && layer.units === 1 && layer.activation === "sigmoid";
  }

  function stops(m, layer) {
    if (probability(m, layer)) return L.CLASS_STOPS;
    return layer.low < 0 ? L.SIGN_STOPS : L.SIGN_STOPS.slice(1);
  }

  function colour(m, layer, value) {
    if (value === null) return MISSING;
    return L.along(stops(m, layer), (value - layer.low) / (layer.high - layer.low));
  }

  // Row 0 of a map is the lowest value of the second feature: painted at the bottom.
  function paint(canvas, m, layer, map, grid) {
    var context = canvas.getContext("2d"), image = context.createImageData(grid, grid);
    for (var r = 0; r < grid; r++) {
      for (var c = 0; c < grid; c++) {
        var rgb = colour(m, layer, map[r * grid + c]), p = ((grid - 1 - r) * grid + c) * 4;
        image.data[p] = rgb[0]; image.data[p + 1] = rgb[1]; image.data[p + 2] = rgb[2];
        image.data[p + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  }

  function rows(map, grid) {
    var out = [];
    for (var r = 0; r < grid; r++) out.push(map.slice(r * grid, (r + 1) * grid));
    return out;
  }

  function layerTitle(m, layer) {
    var output = layer.layer === m.layers.length;
    var shown = layer.maps.length, hidden = layer.units - shown;
    return "Layer " + layer.layer + (output ? " (output: the decision boundary)" : "") + ", " +
      layer.activation + ", coloured " + layer.low + " to " + layer.high +
      (hidden > 0 ? "; first " + shown + " of " + layer.units + " units, " + hidden + " not shown" : "");
  }

  function renderEnlarged(m) {
    var layer = m.layers[chosen[0]], map = layer.maps[chosen[1]];
    var output = layer.layer === m.layers.length;
    // A single sigmoid output decides at P = 0.5: that line is the boundary itself.
    var binary = probability(m, layer), count = m.class_names.length;
    text("unit-maps-title", "Layer " + layer.layer + ", " + layer.names[chosen[1]] + " (" +
      layer.activation + ")" + (binary ? ": the decision boundary, the line at P = 0.5" : "") +
      (output && !binary ? ": the decision boundary" : "") +
      "; training points faint, in their classes' colours");
    var z = rows(map, m.grid), traces = [
      { type: "heatmap", x: m.x, y: m.y, z: z, zsmooth: "best",
        zmin: layer.low, zmax: layer.high, colorscale: L.scale(stops(m, layer)), name: layer.names[chosen[1]] },
      { type: "scatter", mode: "markers", x: m.points.x, y: m.points.y, name: "training points",
        opacity: 0.45, hoverinfo: "skip", marker: { size: 5, color: m.points.label,
          colorscale: L.scale(L.CLASS_STOPS), cmin: 0, cmax: count - 1,
          line: { color: "#222", width: 0.5 } } }
    ];
    if (binary) {
      traces.push({ type: "contour", x: m.x, y: m.y, z: z, showscale: false, hoverinfo: "skip",
        name: "P = 0.5", contours: { start: 0.5, end: 0.5, coloring: "none" },
        line: { color: "#111", width: 2 } });
    }
    draw("unit-maps-plot", traces,
      { yaxis: { scaleanchor: "x" }, showlegend: false, margin: { l: 40, r: 10, t: 10, b: 30 } });
    L.emitClicks("unit-maps-plot", "point");
  }

  function mapFigure(m, layerIndex, unit) {
    var layer = m.layers[layerIndex];
    var figure = document.createElement("figure"), canvas = document.createElement("canvas");
    canvas.width = canvas.height = m.grid;
    canvas.className = "unit-map";
    canvas.dataset.layer = layer.layer;
    canvas.dataset.unit = unit;
    canvas.title = "layer " + layer.layer + ", " + layer.names[unit] + ": click to enlarge";
    if (chosen[0] === layerIndex && chosen[1] === unit) canvas.classList.add("chosen");
    paint(canvas, m, layer, layer.maps[unit], m.grid);
    canvas.onclick = function () { chosen = [layerIndex, unit]; renderMaps(L.doc.unit_maps, L.doc.inputs); };
    var caption = document.createElement("figcaption");
    caption.textContent = layer.names[unit];
    figure.appendChild(canvas);
    figure.appendChild(caption);
    return figure;
  }

  function renderMaps(m, inputs) {
    var why = !inputs.two_d ? "Only for 2-D inputs." : !m ? "No parameters read yet." : null;
    if (empty("unit_maps", why)) return;
    text("unit-maps-step", "at step " + m.step);
    L.classLegend("unit-maps-classes", m.class_names);
    var last = m.layers.length - 1;
    if (!chosen || !m.layers[chosen[0]] || chosen[1] >= m.layers[chosen[0]].maps.length) chosen = [last, 0];
    text("unit-maps-note", "Each square is one unit's activation over the input plane (" + m.grid +
      " x " + m.grid + " points); click one to enlarge it." + (m.not_shown > 0 ? " " + m.not_shown +
      " units not shown (at most " + m.limits.per_layer + " a layer, " + m.limits.total + " in all)." : ""));
    var grid = $("unit-maps-grid");
    grid.innerHTML = "";
    m.layers.forEach(function (layer, layerIndex) {
      var row = document.createElement("div"), title = document.createElement("div");
      row.className = "map-layer";
      title.className = "map-title";
      title.textContent = layerTitle(m, layer);
      var maps = document.createElement("div");
      maps.className = "maps";
      layer.maps.forEach(function (_, unit) { maps.appendChild(mapFigure(m, layerIndex, unit)); });
      row.appendChild(title);
      row.appendChild(maps);
      grid.appendChild(row);
    });
    renderEnlarged(m);
  }

  L.section(["unit_maps"], function (d) { renderMaps(d.unit_maps, d.inputs); });
})();

// One layer's histograms over the telemetry steps.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  var choice = { layer: null };
  // A subplot is too short to label every row (a layer's values span dozens of bins): the 0
  // row and every few rows from the largest magnitudes inwards are labelled, so that no
  // labels overlap and the largest values are named.
  var LABELS = 9;

  function labelledRows(kind) {
    var n = kind.ranges.length, every = Math.max(1, Math.ceil(n / LABELS));
    var zero = kind.bins.indexOf("0"), rows = [], i;
    if (zero < 0) {
      for (i = n - 1; i >= 0; i -= every) rows.push(i);
    } else {
      rows.push(zero);
      for (i = n - 1; i >= zero + every; i -= every) rows.push(i);
      for (i = 0; i <= zero - every; i += every) rows.push(i);
    }
    rows.sort(function (a, b) { return a - b; });
    return { tickvals: rows.map(function (r) { return kind.ranges[r]; }),
      ticktext: rows.map(function (r) { return kind.bins[r]; }) };
  }

  function renderHistograms(hist, status) {
    if (empty("histograms", hist ? null : L.noTelemetry(status))) return;
    var select = $("histogram-layer");
    if (select.options.length !== hist.layers.length) {
      select.innerHTML = "";
      hist.layers.forEach(function (l) { select.add(new Option("layer " + l.layer, l.layer)); });
      select.onchange = function () { choice.layer = +select.value; renderHistograms(L.doc.histograms, L.doc.status); };
    }
    var layer = hist.layers.filter(function (l) { return l.layer === choice.layer; })[0] || hist.layers[0];
    select.value = layer.layer;
    var traces = [], extra = { grid: { rows: 2, columns: 2, pattern: "independent" }, annotations: [] };
    Object.keys(hist.kinds).forEach(function (key, k) {
      var kind = layer.kinds[key];
      // Rows are the bins' exact intervals (the hover's), labelled by a readable edge.
      traces.push({ type: "heatmap", x: hist.steps, y: kind.ranges, coloraxis: "coloraxis",
        z: kind.counts.map(function (row) { return row.map(function (c) { return Math.log10(1 + c); }); }),
        text: kind.counts, xaxis: "x" + (k + 1), yaxis: "y" + (k + 1), name: hist.kinds[key],
        hovertemplate: hist.kinds[key] + " in %{y}<br>step %{x}: %{text} values<extra></extra>" });
      var rows = labelledRows(kind);
      extra["yaxis" + (k + 1)] = { type: "category", tickfont: { size: 9 },
        tickmode: "array", tickvals: rows.tickvals, ticktext: rows.ticktext };
      extra["xaxis" + (k + 1)] = { title: { text: hist.kinds[key], font: { size: 11 } } };
    });
    extra.coloraxis = { colorscale: [[0, "#ffffff"], [0.15, "#c6dbef"], [1, "#08306b"]], colorbar: { title: { text: "log10(1+n)" } } };
    extra.margin = { l: 60, r: 20, t: 10, b: 40 };
    draw("histogram-plot", traces, extra);
  }

  L.section(["histograms"], function (d) { renderHistograms(d.histograms, d.status); });
})();

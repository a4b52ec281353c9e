// The network diagram (units coloured by a statistic, shards boxed) and a clicked unit's history.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  var choice = { statistic: "activation", unit: null };

  // The statistics drawn on a log scale are named by the document (lnn/watch/series.py).
  function isLog(net, stat) { return net.log_statistics.indexOf(stat) >= 0; }

  // A batch-normalized unit's gamma, beta and batch statistics of Z, as its hover shows them.
  function normText(net, now, u) {
    return Object.keys(net.norm_figures).map(function (key) {
      return net.norm_figures[key] + " " + now[key][u];
    }).join(", ");
  }

  function renderNetwork(net) {
    var select = $("statistic");
    if (!select.options.length) {
      Object.keys(net.statistics).forEach(function (key) {
        select.add(new Option(net.statistics[key], key));
      });
      select.onchange = function () { choice.statistic = select.value; renderNetwork(L.doc.network); };
    }
    var stat = choice.statistic, columns = [{ units: 1 }].concat(net.layers);
    var y = function (units, i) { return (units - 1) / 2 - i; };
    var edges = { x: [], y: [] }, shapes = [], notes = [];
    for (var c = 1; c < columns.length; c++) {
      var a = Math.min(columns[c - 1].units, net.units_drawn), b = Math.min(columns[c].units, net.units_drawn);
      if (a * b > 1600) continue;
      for (var i = 0; i < a; i++) {
        for (var j = 0; j < b; j++) {
          edges.x.push(c - 1, c, null);
          edges.y.push(y(a, i), y(b, j), null);
        }
      }
    }
    var units = { x: [], y: [], color: [], text: [], custom: [] };
    var dead = { x: [], y: [] }, saturated = { x: [], y: [] };
    net.layers.forEach(function (layer) {
      var n = Math.min(layer.units, net.units_drawn), values = layer.now ? layer.now[stat] : null;
      if (values && isLog(net, stat)) values = L.log10(values);
      layer.shards.forEach(function (shard) {
        if (shard.start >= n) return;
        shapes.push({ type: "rect", x0: layer.layer - 0.3, x1: layer.layer + 0.3,
          y0: y(n, Math.min(shard.stop, n) - 1) - 0.45, y1: y(n, shard.start) + 0.45,
          line: { color: "#8a9", width: 1 }, fillcolor: "rgba(120,160,140,0.08)" });
        if (layer.shards.length <= 4) {
          notes.push({ x: layer.layer, y: y(n, shard.start) + 0.45, text: shard.lane,
            showarrow: false, yanchor: "bottom", font: { size: 10, color: "#576" } });
        }
      });
      for (var u = 0; u < n; u++) {
        var lane = layer.shards.filter(function (s) { return u >= s.start && u < s.stop; })[0];
        units.x.push(layer.layer);
        units.y.push(y(n, u));
        units.color.push(values ? values[u] : null);
        units.custom.push([layer.layer, u]);
        units.text.push("layer " + layer.layer + " unit " + u + " (" + lane.lane + ")<br>" +
          net.statistics[stat] + ": " + (layer.now ? layer.now[stat][u] : "-"));
        if (layer.verdicts) units.text[units.text.length - 1] += "<br>" + layer.verdicts[u];
        if (layer.norm) units.text[units.text.length - 1] += "<br>" + normText(net, layer.norm.now, u);
      }
      layer.dead.forEach(function (u) { if (u < n) { dead.x.push(layer.layer); dead.y.push(y(n, u)); } });
      layer.saturated.forEach(function (u) {
        if (u < n) { saturated.x.push(layer.layer); saturated.y.push(y(n, u)); }
      });
    });
    var title = (isLog(net, stat) ? "log10 " : "") + net.statistics[stat];
    var traces = [
      { x: edges.x, y: edges.y, mode: "lines", line: { color: "#ccc", width: 0.5 },
        hoverinfo: "skip", showlegend: false },
      { x: [0], y: [0], mode: "markers+text", text: [net.inputs + " inputs"], textposition: "top center",
        marker: { size: 18, color: "#bbb", symbol: "square" }, hoverinfo: "text", showlegend: false },
      { x: units.x, y: units.y, customdata: units.custom, hovertext: units.text, hoverinfo: "text",
        mode: "markers", name: "units", showlegend: false,
        marker: { size: 16, color: units.color, colorscale: "Viridis", showscale: true,
          colorbar: { title: { text: title, side: "right" } }, line: { color: "#333", width: 1 } } },
      { x: dead.x, y: dead.y, mode: "markers+text", name: "dead", hoverinfo: "skip",
        text: dead.x.map(function () { return "!"; }), textposition: "middle right",
        textfont: { color: "#d00", size: 16 },
        marker: { size: 22, symbol: "x-thin-open", color: "#d00", line: { width: 3, color: "#d00" } } },
      { x: saturated.x, y: saturated.y, mode: "markers", name: "saturated", hoverinfo: "skip",
        marker: { size: 26, symbol: "circle-open", color: "#f80", line: { width: 3 } } }
    ];
    var ticks = columns.map(function (_, c) {
      return c === 0 ? "input" : "L" + c + " " + net.layers[c - 1].activation + " (" + net.layers[c - 1].units + ")";
    });
    draw("network-plot", traces, { shapes: shapes, annotations: notes, hovermode: "closest",
      xaxis: { tickvals: columns.map(function (_, c) { return c; }), ticktext: ticks, zeroline: false },
      yaxis: { visible: false }, margin: { l: 20, r: 20, t: 10, b: 40 } });
    L.onClick("network-plot", function (event) {
      var point = event.points.filter(function (p) { return p.customdata; })[0];
      if (point) { choice.unit = point.customdata; renderUnit(L.doc.network); }
    });
  }

  function renderUnit(net) {
    if (!choice.unit) return;
    var layerNo = choice.unit[0], unit = choice.unit[1];
    var layer = net.layers[layerNo - 1];
    text("unit-title", "layer " + layerNo + ", unit " + unit);
    if (empty("unit", layer.history ? null : "No telemetry for this layer yet.")) return;
    // One subplot per statistic, titled by it (its meaning on hover); a log one shows zeros.
    // A batch-normalized unit adds its gamma, beta and batch mean and variance of Z.
    var labels = Object.assign({}, net.statistics, layer.norm ? net.norm_figures : {});
    var series = Object.assign({}, layer.history, layer.norm ? layer.norm.history : {});
    var keys = Object.keys(labels), traces = [], titles = [], rows = keys.length / 2;
    keys.forEach(function (key, k) {
      var axis = k ? String(k + 1) : "", log = isLog(net, key);
      var trace = { x: net.steps, y: series[key][unit], name: labels[key],
        xaxis: "x" + axis, yaxis: "y" + axis, mode: "lines" };
      traces = traces.concat(log ? L.logSeries([trace]) : [trace]);
      titles.push({ text: labels[key] + (log ? " (log scale)" : ""),
        hovertext: L.glossary[key], xref: "x" + axis + " domain", yref: "y" + axis + " domain",
        x: 0.5, y: 1, xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 12 } });
    });
    var extra = { grid: { rows: rows, columns: 2, pattern: "independent", ygap: 0.35 },
      margin: { l: 60, r: 20, t: 24, b: 50 }, annotations: titles, showlegend: false };
    keys.forEach(function (key, k) {
      var axis = k ? String(k + 1) : "";
      extra["yaxis" + axis] = isLog(net, key) ? { type: "log", exponentformat: "e" } : {};
      extra["xaxis" + axis] = { title: { text: k >= keys.length - 2 ? "step" : "" } };
    });
    $("unit-plot").style.height = rows > 2 ? (rows * 180) + "px" : "";
    draw("unit-plot", traces, extra);
  }

  // Each statistic of the selector explained on hover (lnn/watch/glossary.py).
  function explainStatistics() {
    var select = $("statistic");
    Array.prototype.forEach.call(select.options, function (o) { o.title = L.glossary[o.value] || ""; });
    select.title = L.glossary[select.value] || "";
    if (!select.dataset.explained) {
      select.dataset.explained = "yes";
      select.addEventListener("change", explainStatistics);
    }
  }

  L.section(["network"], function (d) {
    renderNetwork(d.network);
    explainStatistics();
    renderUnit(d.network);
  });
})();

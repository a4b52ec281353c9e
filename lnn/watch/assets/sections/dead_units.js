// Dead units over time: a strip per hidden layer (units x telemetry steps), the verdicts with
// their reasons, and a chosen unit's Z range and bias over the steps.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  var ROW_PX = 12, GAP_PX = 40;
  var chosen = null;  // [layer, unit]

  function renderStrips(d) {
    var traces = [], extra = { grid: { rows: d.layers.length, columns: 1, pattern: "independent",
      roworder: "top to bottom" }, margin: { l: 70, r: 20, t: 10, b: 40 }, showlegend: false };
    var height = 50;
    d.layers.forEach(function (layer, k) {
      var rows = layer.dead.length, units = [], words = [];
      for (var u = 0; u < rows; u++) {
        units.push(u);
        words.push(layer.dead[u].map(function (dead) { return dead ? layer.word : "alive"; }));
      }
      traces.push({ type: "heatmap", x: layer.steps, y: units, z: layer.dead, zmin: 0, zmax: 1,
        text: words,
        xaxis: "x" + (k + 1), yaxis: "y" + (k + 1), showscale: false, xgap: 0, ygap: 1,
        colorscale: [[0, "#e6e6e6"], [1, "#c81e1e"]], name: "layer " + layer.layer,
        hovertemplate: "layer " + layer.layer + " unit %{y}, step %{x}: %{text}<extra></extra>" });
      extra["yaxis" + (k + 1)] = { autorange: "reversed", title: { text: "L" + layer.layer + " " +
        layer.activation + (layer.units > rows ? " (" + rows + " of " + layer.units + ")" : "") },
        dtick: rows > 16 ? 8 : 1 };
      extra["xaxis" + (k + 1)] = { title: { text: k === d.layers.length - 1 ? "step" : "" } };
      height += rows * ROW_PX + GAP_PX;
    });
    var plot = $("dead-units-strips");
    plot.style.height = Math.max(height, 160) + "px";
    draw("dead-units-strips", traces, extra);
    L.onClick("dead-units-strips", function (event) {
      var point = event.points[0];
      if (!point) return;
      chosen = [L.doc.dead_units.layers[point.curveNumber].layer, point.y];
      renderUnit(L.doc.dead_units);
    });
  }

  function renderVerdicts(d) {
    var list = $("dead-units-verdicts");
    list.innerHTML = "";
    var shown = d.verdicts.filter(function (v) { return v.dead || v.events.length; });
    if (!shown.length) {
      var none = document.createElement("li");
      none.textContent = "No hidden unit was dead at any telemetry step.";
      list.appendChild(none);
    }
    shown.forEach(function (v) {
      var item = document.createElement("li");
      item.textContent = (v.mark || " ") + " layer " + v.layer + " unit " + v.unit + ": " + v.reason;
      item.className = v.dead ? "dead" : "";
      item.onclick = function () { chosen = [v.layer, v.unit]; renderUnit(L.doc.dead_units); };
      list.appendChild(item);
    });
  }

  // The steps at which the unit was dead, as shaded spans over its plot.
  function deadSpans(steps, dead) {
    var shapes = [];
    for (var i = 0; i < steps.length; i++) {
      if (!dead[i]) continue;
      var j = i;
      while (j + 1 < steps.length && dead[j + 1]) j++;
      shapes.push({ type: "rect", xref: "x", yref: "paper", x0: steps[i] - 0.5, x1: steps[j] + 0.5,
        y0: 0, y1: 1, fillcolor: "rgba(200,30,30,0.12)", line: { width: 0 } });
      i = j;
    }
    return shapes;
  }

  // A batch-normalized layer's Z here is Z_tilde = gamma Z_norm + beta: its shift is beta.
  function biasLabel(layer) { return layer.bias_name === "b" ? "bias b" : layer.bias_name; }
  function zName(layer) { return layer.bias_name === "b" ? "Z" : "Z̃"; }

  function renderUnit(d) {
    var layer = chosen && d.layers.filter(function (l) { return l.layer === chosen[0]; })[0];
    var u = chosen ? chosen[1] : null;
    var visible = !!(layer && u < layer.dead.length);
    $("dead-unit-title").classList.toggle("hidden", !visible);
    $("dead-unit-plot").classList.toggle("hidden", !visible);
    if (!visible) return;
    var verdict = d.verdicts.filter(function (v) { return v.layer === chosen[0] && v.unit === u; })[0];
    text("dead-unit-title", "layer " + layer.layer + ", unit " + u + ": " +
      (verdict ? (verdict.mark ? verdict.mark + " " : "") + verdict.reason : ""));
    var x = layer.series_steps, z = zName(layer);
    var traces = [
      { x: x, y: layer.z_max[u], name: "max " + z, mode: "lines", line: { color: "#3a6ea5" } },
      { x: x, y: layer.z_min[u], name: "min " + z, mode: "lines", fill: "tonexty",
        fillcolor: "rgba(58,110,165,0.15)", line: { color: "#3a6ea5" } },
      { x: x, y: layer.z_mean[u], name: "mean " + z, mode: "lines", line: { color: "#3a6ea5", dash: "dot" } },
      { x: x, y: layer.bias[u], name: biasLabel(layer), mode: "lines", line: { color: "#e08a00" } }
    ];
    var shapes = deadSpans(layer.steps, layer.dead[u]).concat([{ type: "line", xref: "paper", x0: 0, x1: 1,
      y0: 0, y1: 0, line: { color: "#888", width: 1, dash: "dash" } }]);
    draw("dead-unit-plot", traces, { shapes: shapes, xaxis: { title: { text: "step" } },
      yaxis: { title: { text: z + " over the batch, " + layer.bias_name } } });
  }

  L.section(["dead_units"], function (d) {
    var dead = d.dead_units;
    var why = !dead ? L.noTelemetry(d.status) :
      !dead.layers.length ? "The network has no hidden layer." : null;
    if (empty("dead_units", why)) { $("dead-units-verdicts").innerHTML = ""; return; }
    text("dead-units-epoch", "(verdicts over epoch " + dead.epoch + ")");
    renderStrips(dead);
    renderVerdicts(dead);
    renderUnit(dead);
  });
})();

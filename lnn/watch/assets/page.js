// The watch page: draws one document (lnn/watch/document fields) with Plotly.react. Live, it
// polls the server for a newer document; in a report the document is inline and drawn once.
(function () {
  "use strict";
  var live = window.LNN_LIVE || null;
  var POLL_MS = 2000;  // each redraw takes the CPU the run trains on (often the same machine)
  var OUTCOME_COLOURS = {
    claimed: "#9ab", completed: "#4a7", duplicate: "#e90", healed: "#a4c",
    failed: "#d33", dead_lettered: "#000"
  };
  var CONFIG = { displaylogo: false, responsive: true };
  var doc = window.LNN_DOCUMENT || null;
  var choice = { statistic: "activation", unit: null, layer: null };
  var clickBound = false;

  function $(id) { return document.getElementById(id); }
  function text(id, value) { $(id).textContent = value === null || value === undefined ? "-" : value; }
  function layout(extra) {
    return Object.assign({ margin: { l: 60, r: 20, t: 10, b: 40 }, showlegend: true,
      legend: { orientation: "h" } }, extra);
  }
  function draw(id, traces, extra) { Plotly.react($(id), traces, layout(extra), CONFIG); }
  // A section with nothing to draw says why, and hides its plots.
  function empty(section, why) {
    var node = $(section), note = node.querySelector(".empty");
    node.querySelectorAll(".plot, .images").forEach(function (p) { p.classList.toggle("hidden", !!why); });
    note.textContent = why || "";
    note.classList.toggle("hidden", !why);
    return !!why;
  }
  function log10(values) {
    return values.map(function (v) { return v === null || v <= 0 ? null : Math.log10(v); });
  }

  function renderStatus(s) {
    var badge = $("run-status");
    badge.textContent = s.status;
    badge.className = "badge " + s.status;
    text("run-id", s.run_id);
    text("engine", s.engine);
    text("network-text", s.dataset ? s.dataset + " " + s.layers : null);
    text("epoch", s.epochs === null ? s.epoch : s.epoch + " / " + s.epochs);
    text("step", s.steps ? s.step + " / " + s.steps : s.step);
    text("elapsed", s.elapsed_s === null ? null : s.elapsed_s.toFixed(1) + " s");
    text("telemetry-steps", s.telemetry_steps);
    var calls = s.calls || {};
    text("calls-per-hop", calls.calls_per_shard_hop === undefined ? null : calls.calls_per_shard_hop);
    $("reason").textContent = s.reason || "";
    $("reason").classList.toggle("hidden", !s.reason);
    $("mode").textContent = live ? "live" : "report: the run at its end";
    $("note").textContent = s.note || "";
  }

  // The statistics drawn on a log scale are named by the document (lnn/watch/series.py).
  function isLog(net, stat) { return net.log_statistics.indexOf(stat) >= 0; }

  function renderNetwork(net) {
    var select = $("statistic");
    if (!select.options.length) {
      Object.keys(net.statistics).forEach(function (key) {
        select.add(new Option(net.statistics[key], key));
      });
      select.onchange = function () { choice.statistic = select.value; renderNetwork(doc.network); };
    }
    var stat = choice.statistic, columns = [{ units: 1 }].concat(net.layers);
    var y = function (units, i) { return (units - 1) / 2 - i; };
    var edges = { x: [], y: [] }, shapes = [], notes = [];
    for (var c = 1; c < columns.length; c++) {
      var a = Math.min(columns[c - 1].units, 64), b = Math.min(columns[c].units, 64);
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
      var n = Math.min(layer.units, 64), values = layer.now ? layer.now[stat] : null;
      if (values && isLog(net, stat)) values = log10(values);
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
      { x: dead.x, y: dead.y, mode: "markers", name: "dead", hoverinfo: "skip",
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
    if (!clickBound) {
      clickBound = true;
      $("network-plot").on("plotly_click", function (event) {
        var point = event.points.filter(function (p) { return p.customdata; })[0];
        if (point) { choice.unit = point.customdata; renderUnit(doc.network); }
      });
    }
  }

  function renderUnit(net) {
    if (!choice.unit) return;
    var layerNo = choice.unit[0], unit = choice.unit[1];
    var layer = net.layers[layerNo - 1];
    text("unit-title", "layer " + layerNo + ", unit " + unit);
    if (empty("unit", layer.history ? null : "No telemetry for this layer yet.")) return;
    var keys = Object.keys(net.statistics), traces = [];
    keys.forEach(function (key, k) {
      traces.push({ x: net.steps, y: layer.history[key][unit], name: net.statistics[key],
        xaxis: "x" + (k + 1), yaxis: "y" + (k + 1), mode: "lines" });
    });
    var extra = { grid: { rows: 2, columns: 2, pattern: "independent" }, margin: { l: 60, r: 20, t: 10, b: 60 } };
    keys.forEach(function (key, k) {
      extra["yaxis" + (k + 1)] = { type: isLog(net, key) ? "log" : "linear" };
      extra["xaxis" + (k + 1)] = { title: { text: k >= 2 ? "step" : "" } };
    });
    draw("unit-plot", traces, extra);
  }

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

  function renderLayers(curves) {
    if (empty("layers", curves ? null : "No telemetry recorded yet (or telemetry is off).")) return;
    var lines = function (key) {
      return curves.layers.map(function (l) {
        return { x: curves.steps, y: l[key], name: "layer " + l.layer, mode: "lines" };
      });
    };
    // Which figure goes in which plot is the document's (lnn/watch/curves.py LAYER_PLOTS).
    curves.plots.forEach(function (p) {
      draw(p.plot, lines(p.figure),
        { yaxis: { type: "log", title: { text: p.label } }, xaxis: { title: { text: "step" } } });
    });
  }

  function renderHistograms(hist) {
    if (empty("histograms", hist ? null : "No telemetry recorded yet (or telemetry is off).")) return;
    var select = $("histogram-layer");
    if (select.options.length !== hist.layers.length) {
      select.innerHTML = "";
      hist.layers.forEach(function (l) { select.add(new Option("layer " + l.layer, l.layer)); });
      select.onchange = function () { choice.layer = +select.value; renderHistograms(doc.histograms); };
    }
    var layer = hist.layers.filter(function (l) { return l.layer === choice.layer; })[0] || hist.layers[0];
    select.value = layer.layer;
    var traces = [], extra = { grid: { rows: 2, columns: 2, pattern: "independent" }, annotations: [] };
    Object.keys(hist.kinds).forEach(function (key, k) {
      var kind = layer.kinds[key];
      traces.push({ type: "heatmap", x: hist.steps, y: kind.bins, coloraxis: "coloraxis",
        z: kind.counts.map(function (row) { return row.map(function (c) { return Math.log10(1 + c); }); }),
        xaxis: "x" + (k + 1), yaxis: "y" + (k + 1), name: hist.kinds[key] });
      extra["yaxis" + (k + 1)] = { type: "category", tickfont: { size: 9 } };
      extra["xaxis" + (k + 1)] = { title: { text: hist.kinds[key], font: { size: 11 } } };
    });
    extra.coloraxis = { colorscale: [[0, "#ffffff"], [0.15, "#c6dbef"], [1, "#08306b"]], colorbar: { title: { text: "log10(1+n)" } } };
    extra.margin = { l: 60, r: 20, t: 10, b: 40 };
    draw("histogram-plot", traces, extra);
  }

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
  }

  function renderWeights(w, inputs) {
    var why = !inputs.images ? "Only for image inputs." : !w ? "No parameters read yet." : null;
    if (empty("weights", why)) return;
    text("weights-step", "at step " + w.step + " (each unit scaled to its own range)");
    var grid = $("weights-grid");
    grid.innerHTML = "";
    w.images.forEach(function (image) {
      var figure = document.createElement("figure"), img = document.createElement("img");
      img.src = image.png;
      img.alt = "unit " + image.unit;
      var caption = document.createElement("figcaption");
      caption.textContent = "unit " + image.unit;
      figure.appendChild(img);
      figure.appendChild(caption);
      grid.appendChild(figure);
    });
  }

  function renderTimeline(t, inputs) {
    var why = !inputs.spans ? "The reference engine passes no messages." :
      !t.bars.length ? "No spans recorded yet." : null;
    if (empty("timeline", why)) return;
    text("timeline-steps", t.steps.join(", "));
    $("timeline-counts").textContent = Object.keys(t.counts).map(function (k) {
      return k + " " + t.counts[k];
    }).join(", ");
    var outcomes = {};
    t.bars.forEach(function (bar) { (outcomes[bar.outcome] = outcomes[bar.outcome] || []).push(bar); });
    var traces = Object.keys(outcomes).map(function (outcome) {
      var bars = outcomes[outcome];
      return { type: "bar", orientation: "h", name: outcome,
        y: bars.map(function (b) { return b.lane; }), base: bars.map(function (b) { return b.start; }),
        x: bars.map(function (b) { return Math.max(b.duration, 0.0005); }),
        hovertext: bars.map(function (b) { return b.label; }), hoverinfo: "text",
        marker: { color: OUTCOME_COLOURS[outcome] || "#888",
          line: { color: bars.map(function (b) { return b.marked ? "#d00" : "rgba(0,0,0,0)"; }), width: 2 } } };
    });
    draw("timeline-plot", traces, { barmode: "overlay", height: Math.max(260, 22 * t.lanes.length + 80),
      yaxis: { categoryorder: "array", categoryarray: t.lanes.slice().reverse(), automargin: true },
      xaxis: { title: { text: "seconds since the first shown task" } } });
  }

  // Draws ``d``, the whole document; of its sections only those in ``changed`` (a poll's
  // body: the sections that moved), or all when not given. A redraw takes the CPU the run
  // trains on, and the 20 weight pictures of the cat network are decoded again on each.
  function render(d, changed) {
    doc = d;
    var c = changed || d;
    var has = function (key) { return Object.prototype.hasOwnProperty.call(c, key); };
    if (d.status) renderStatus(d.status);
    if (!d.network) return;
    if (has("network")) {
      renderNetwork(d.network);
      renderUnit(d.network);
    }
    if (has("history")) renderCurves(d.history);
    if (has("layer_curves")) renderLayers(d.layer_curves);
    if (has("histograms")) renderHistograms(d.histograms);
    if (has("boundary") || has("inputs")) renderBoundary(d.boundary, d.inputs);
    if (has("weights") || has("inputs")) renderWeights(d.weights, d.inputs);
    if (has("timeline") || has("inputs")) renderTimeline(d.timeline, d.inputs);
  }

  function banner(message) {
    $("banner").textContent = message || "";
    $("banner").classList.toggle("hidden", !message);
  }

  function poll() {
    // The content our sections are at (the status' alone moves without them), and the view
    // they belong to: a server that now serves another run's view sends it all.
    var held = doc && doc.status ? doc.status.content : undefined;
    var since = held !== undefined ? "?since=" + held + "&view=" + doc.status.view : "";
    fetch(live.document + since, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        banner(null);
        // A body with a version carries the sections changed since ours; the rest stay.
        if (body.version !== undefined) render(Object.assign({}, doc || {}, body), body);
        else renderStatus(body.status);
      })
      .catch(function (error) {
        banner("Connection lost: the watch server stopped or cannot be reached (" + error.message +
          "). The page shows the last state it received and keeps retrying.");
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  if (live) poll();
  else if (doc) render(doc);
})();

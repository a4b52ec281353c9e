// The watch page's shared helpers and its section registry. Each file in sections/ registers
// one section: the document keys it draws from and how it draws them (main.js calls it).
window.LNN = (function () {
  "use strict";
  var CONFIG = { displaylogo: false, responsive: true };

  function rgb(c) { return "rgb(" + c.join(",") + ")"; }

  // The colour at ``t`` (0-1) along ``stops``, evenly spaced [r, g, b] colours.
  function along(stops, t) {
    t = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    var i = Math.min(Math.floor(t), stops.length - 2), f = t - i;
    return stops[i].map(function (c, k) { return Math.round(c + f * (stops[i + 1][k] - c)); });
  }
  var lnn = {
    live: window.LNN_LIVE || null,
    doc: window.LNN_DOCUMENT || null,
    // What the page's terms mean (lnn/watch/glossary.py): shown on hover.
    glossary: window.LNN_GLOSSARY || {},
    sections: [],
    // Register a section: redrawn when a poll brings any of ``keys`` (or "inputs").
    section: function (keys, render) { lnn.sections.push({ keys: keys, render: render }); },
    $: function (id) { return document.getElementById(id); },
    // What a telemetry section says without telemetry: a run that ended without any had it off.
    NO_TELEMETRY: "This run recorded no telemetry (--telemetry-every off).",
    NO_TELEMETRY_YET: "No telemetry recorded yet.",
    noTelemetry: function (status) {
      return status && status.ended && status.telemetry_steps === 0 ? lnn.NO_TELEMETRY : lnn.NO_TELEMETRY_YET;
    },
    // The classes of 2-D data, in every plot: the first red, the last blue (flower's "red"
    // and "blue" in their own colours), and P(class 1) of a single sigmoid along the same line.
    CLASS_STOPS: [[178, 24, 43], [247, 247, 247], [33, 102, 172]],
    // Signed values (activations, a sample's bars): purple below 0, white at 0, orange above
    // (ColorBrewer's PuOr), so a sign is never read as one of the classes' red and blue.
    SIGN_STOPS: [[84, 39, 136], [247, 247, 247], [179, 88, 6]],
    along: along,
    rgb: rgb,
    // A Plotly colourscale through ``stops``.
    scale: function (stops) {
      return stops.map(function (c, i) { return [i / (stops.length - 1), rgb(c)]; });
    },
    // Class ``k`` of ``count``'s colour.
    classColour: function (k, count) { return rgb(along(lnn.CLASS_STOPS, k / Math.max(1, count - 1))); },
    // Fills ``id`` with a swatch and a name per class: the key to the points' colours.
    classLegend: function (id, names) {
      var node = lnn.$(id);
      node.replaceChildren("classes: ");
      names.forEach(function (name, k) {
        var swatch = lnn.el("span", "", "swatch");
        swatch.style.background = lnn.classColour(k, names.length);
        node.append(swatch, name + (k < names.length - 1 ? ", " : ""));
      });
    },
    // An element ``tag`` holding ``text``, of class ``cls`` if given.
    el: function (tag, text, cls) {
      var node = document.createElement(tag);
      node.textContent = text === undefined || text === null ? "" : text;
      if (cls) node.className = cls;
      return node;
    },
    text: function (id, value) {
      lnn.$(id).textContent = value === null || value === undefined ? "-" : value;
    },
    layout: function (extra) {
      return Object.assign({ margin: { l: 60, r: 20, t: 10, b: 40 }, showlegend: true,
        legend: { orientation: "h" } }, extra);
    },
    draw: function (id, traces, extra) { Plotly.react(lnn.$(id), traces, lnn.layout(extra), CONFIG); },
    // A section with nothing to draw says why, and hides its plots.
    empty: function (section, why) {
      var node = lnn.$(section), note = node.querySelector(".empty");
      node.querySelectorAll(".plot, .images").forEach(function (p) { p.classList.toggle("hidden", !!why); });
      note.textContent = why || "";
      note.classList.toggle("hidden", !why);
      return !!why;
    },
    // Page-wide events between sections: "point", a point of the input plane clicked ({x, y}).
    listeners: {},
    on: function (event, listener) {
      (lnn.listeners[event] = lnn.listeners[event] || []).push(listener);
    },
    emit: function (event, value) {
      (lnn.listeners[event] || []).forEach(function (listener) { listener(value); });
    },
    // Calls ``listener`` on each click on plot ``id`` (drawn already): bound once, as Plotly
    // keeps a plot's listeners across its redraws.
    onClick: function (id, listener) {
      var plot = lnn.$(id);
      if (plot.lnnClicks) return;
      plot.lnnClicks = true;
      plot.on("plotly_click", listener);
    },
    // Each click on plot ``id`` (drawn already) emits ``event`` with the point's coordinates.
    emitClicks: function (id, event) {
      lnn.onClick(id, function (e) {
        var p = e.points[0];
        if (p) lnn.emit(event, { x: p.x, y: p.y });
      });
    },
    // Every element naming a term (data-term="KEY") explains it on hover.
    explain: function (root) {
      (root || document).querySelectorAll("[data-term]").forEach(function (node) {
        var meaning = lnn.glossary[node.getAttribute("data-term")];
        if (meaning) { node.title = meaning; node.classList.add("term"); }
      });
    },
    // Traces for a log axis, which has no 0: a zero is drawn a decade below the smallest
    // positive value of all ``series`` (traces sharing the axis), the line going down to it,
    // marked by an open triangle, its hover saying 0. Every hover shows the value itself.
    logSeries: function (series) {
      var least = Infinity;
      series.forEach(function (s) { s.y.forEach(function (v) { if (v > 0 && v < least) least = v; }); });
      var floor = least === Infinity ? 1e-12 : least / 10, traces = [], marked = false;
      series.forEach(function (s) {
        var zeros = { x: [], y: [] };
        var y = s.y.map(function (v, i) {
          if (v !== 0) return v;
          zeros.x.push(s.x[i]);
          zeros.y.push(floor);
          return floor;
        });
        traces.push(Object.assign({}, s, { y: y,
          text: s.y.map(function (v) { return v === null ? "-" : String(v); }),
          hovertemplate: s.name + ": %{text}<br>step %{x}<extra></extra>" }));
        if (!zeros.x.length) return;
        traces.push({ x: zeros.x, y: zeros.y, xaxis: s.xaxis, yaxis: s.yaxis, mode: "markers",
          name: "0 (drawn at the floor)", legendgroup: "zeros", showlegend: !marked,
          marker: { symbol: "triangle-down-open", size: 9, color: "#333" },
          hovertemplate: s.name + ": 0<br>step %{x}<extra></extra>" });
        marked = true;
      });
      return traces;
    },
    log10: function (values) {
      return values.map(function (v) { return v === null || v <= 0 ? null : Math.log10(v); });
    }
  };
  return lnn;
})();

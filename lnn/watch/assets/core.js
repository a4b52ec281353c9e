// The watch page's shared helpers and its section registry. Each file in sections/ registers
// one section: the document keys it draws from and how it draws them (main.js calls it).
window.LNN = (function () {
  "use strict";
  var CONFIG = { displaylogo: false, responsive: true };
  var lnn = {
    live: window.LNN_LIVE || null,
    doc: window.LNN_DOCUMENT || null,
    sections: [],
    // Register a section: redrawn when a poll brings any of ``keys`` (or "inputs").
    section: function (keys, render) { lnn.sections.push({ keys: keys, render: render }); },
    $: function (id) { return document.getElementById(id); },
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
    // Each click on plot ``id`` (drawn already) emits ``event`` with the point's coordinates.
    emitClicks: function (id, event) {
      var plot = lnn.$(id);
      if (plot.lnnClicks) return;
      plot.lnnClicks = true;
      plot.on("plotly_click", function (e) {
        var p = e.points[0];
        if (p) lnn.emit(event, { x: p.x, y: p.y });
      });
    },
    log10: function (values) {
      return values.map(function (v) { return v === null || v <= 0 ? null : Math.log10(v); });
    }
  };
  return lnn;
})();

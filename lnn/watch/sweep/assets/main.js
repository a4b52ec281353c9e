// The sweep page's loop: draws the document (lnn/watch/sweep/document.py). Live, it polls
// the server for a newer version; in a report the document is inline and drawn once.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text;
  var POLL_MS = L.live ? L.live.poll_ms : 0;  // lnn.watch.page.PAGE_POLL_S

  function renderSummary(s) {
    var state = s.ended ? "ENDED" : "RUNNING";
    $("sweep-state").textContent = state;
    $("sweep-state").className = "badge " + state;
    text("sweep-id", s.sweep_id);
    text("sweep-engine", s.engine);
    text("sweep-dataset", s.dataset);
    text("sweep-method", s.method);
    text("sweep-seed", s.seed);
    text("sweep-concurrency", s.concurrency);
    text("sweep-counts", s.trials + " (" + Object.keys(s.counts).map(function (k) {
      return s.counts[k] + " " + k.toLowerCase();
    }).join(", ") + ")");
    text("sweep-best", s.best === null ? null : s.best + " by " + s.metric);
    text("sweep-search", s.search);
    text("sweep-halving", s.halving ? "halving: " + s.halving : "");
    text("mode", L.live ? "live, updated " + s.updated_at : "report: the sweep at " + s.updated_at);
  }

  function render(d) {
    L.doc = d;
    if (!d.summary) { text("note", "The sweep has not started yet."); return; }
    text("note", "");
    renderSummary(d.summary);
    L.sections.forEach(function (s) { s.render(d); });
  }

  function banner(message) {
    $("banner").textContent = message || "";
    $("banner").classList.toggle("hidden", !message);
  }

  function poll() {
    var held = L.doc ? "?since=" + L.doc.version + "&view=" + L.doc.view : "";
    fetch(L.live.document + held, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        banner(null);
        // A body with only the version: nothing moved since ours.
        if (!L.doc || body.version !== L.doc.version || body.view !== L.doc.view) render(body);
      })
      .catch(function (error) {
        banner("Connection lost: the sweep's page server stopped or cannot be reached (" +
          error.message + "). The page shows the last state it received and keeps retrying.");
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  if (L.live) poll();
  else if (L.doc) render(L.doc);
})();

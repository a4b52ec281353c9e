// The watch page's loop: draws one document (lnn/watch/document fields) with Plotly.react,
// section by section (sections/*.js). Live, it polls the server for a newer document; in a
// report the document is inline and drawn once.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text;
  var POLL_MS = L.live ? L.live.poll_ms : 0;  // lnn.watch.page.PAGE_POLL_S

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
    $("mode").textContent = L.live ? "live" : "report: the run at its end";
    $("note").textContent = s.note || "";
  }

  // Draws ``d``, the whole document; of its sections only those in ``changed`` (a poll's
  // body: the sections that moved), or all when not given. A redraw takes the CPU the run
  // trains on, and the 20 weight pictures of the cat network are decoded again on each.
  function render(d, changed) {
    L.doc = d;
    var c = changed || d;
    var has = function (key) { return Object.prototype.hasOwnProperty.call(c, key); };
    if (d.status) renderStatus(d.status);
    if (!d.network) return;
    L.sections.forEach(function (s) {
      if (has("inputs") || s.keys.some(has)) s.render(d);
    });
  }

  function banner(message) {
    $("banner").textContent = message || "";
    $("banner").classList.toggle("hidden", !message);
  }

  function poll() {
    // The content our sections are at (the status' alone moves without them), and the view
    // they belong to: a server that now serves another run's view sends it all.
    var held = L.doc && L.doc.status ? L.doc.status.content : undefined;
    var since = held !== undefined ? "?since=" + held + "&view=" + L.doc.status.view : "";
    fetch(L.live.document + since, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        banner(null);
        // A body with a version carries the sections changed since ours; the rest stay.
        if (body.version !== undefined) render(Object.assign({}, L.doc || {}, body), body);
        else renderStatus(body.status);
      })
      .catch(function (error) {
        banner("Connection lost: the watch server stopped or cannot be reached (" + error.message +
          "). The page shows the last state it received and keeps retrying.");
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  L.explain();
  if (L.live) poll();
  else if (L.doc) render(L.doc);
})();

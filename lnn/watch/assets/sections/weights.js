// The first layer's weights as pictures at the run's kept steps: a slider over the steps and
// a switch between W and W - W(init). Live, each step shown is asked of the server
// (/api/weights); a report holds the pictures of a few steps, and its slider moves over those.
// A step that cannot be drawn says why (the server's answer, or the report's ``failed``).
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, empty = L.empty;
  var state = { kind: "w", index: null, section: null, fetched: {}, order: [], asking: {}, failed: {} };

  // The steps the slider moves over: all kept ones live, those the report holds (or tried to).
  function steps() {
    var s = state.section;
    if (L.live) return s.steps;
    return Object.keys(s.pictures).concat(Object.keys(s.failed)).map(Number)
      .sort(function (a, b) { return a - b; });
  }

  function drawnAt(step) { return state.section.pictures[String(step)] || state.fetched[step] || null; }

  function failedAt(step) { return state.section.failed[String(step)] || state.failed[step] || null; }

  function ask(step) {
    if (state.asking[step]) return;
    state.asking[step] = true;
    fetch(L.live.weights + "?step=" + step, { cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return { error: "HTTP " + response.status }; });
      })
      .catch(function () { return { error: "the watch server did not answer" }; })
      .then(function (body) {
        delete state.asking[step];
        if (body.error) state.failed[step] = body.error;
        else {
          state.fetched[step] = body;
          state.order.push(step);
          var keep = state.section ? state.section.cached_steps : 1;
          while (state.order.length > keep) delete state.fetched[state.order.shift()];
        }
        if (state.section) show();
      });
  }

  function grid(images) {
    var node = $("weights-grid");
    node.innerHTML = "";
    images.forEach(function (png, unit) {
      var figure = document.createElement("figure"), img = document.createElement("img");
      img.src = png;
      img.alt = "unit " + unit;
      var caption = document.createElement("figcaption");
      caption.textContent = "unit " + unit;
      figure.appendChild(img);
      figure.appendChild(caption);
      node.appendChild(figure);
    });
  }

  function show() {
    var list = steps(), s = state.section;
    var index = state.index === null || state.index >= list.length ? list.length - 1 : state.index;
    var step = list[index], slider = $("weights-slider");
    slider.max = String(list.length - 1);
    slider.value = String(index);
    slider.disabled = list.length < 2;
    var change = document.querySelector("input[name=weights-kind][value=change]");
    change.disabled = !s.init;
    if (!s.init && state.kind === "change") state.kind = "w";
    document.querySelector("input[name=weights-kind][value=" + state.kind + "]").checked = true;
    var what = s.kinds[state.kind];
    text("weights-step", "at step " + step + (step === 0 ? " (the initial weights)" : "") + ": " +
      what + ", each unit scaled to its own range");
    var kept = L.live ? s.steps.length + " kept steps" : list.length + " of the run's " +
      s.steps.length + " kept steps in this report";
    var drawn = drawnAt(step), failed = drawn ? null : failedAt(step);
    if (failed) {
      text("weights-note", kept + "; step " + step + " could not be drawn: " + failed);
      $("weights-grid").innerHTML = "";
      return;
    }
    if (!drawn) {
      text("weights-note", kept + "; reading step " + step + "...");
      if (L.live) ask(step);
      return;
    }
    var zero = state.kind === "change" && step === 0 ? "; at the init nothing has changed yet" : "";
    text("weights-note", kept + zero);
    grid(drawn[state.kind] || []);
  }

  // The scripts follow the sections in the page: their elements are there.
  $("weights-slider").addEventListener("input", function (event) {
    var index = Number(event.target.value);
    state.index = index === steps().length - 1 ? null : index;  // the last: follow the run
    show();
  });
  document.querySelectorAll("input[name=weights-kind]").forEach(function (radio) {
    radio.addEventListener("change", function (event) { state.kind = event.target.value; show(); });
  });

  function renderWeights(w, inputs) {
    var why = !inputs.images ? "Only for image inputs." : !w ? "No weights kept yet." : null;
    if (empty("weights", why)) return;
    state.section = w;
    state.failed = {};  // a new document: a step that failed may be read now
    show();
  }

  L.section(["weights"], function (d) { renderWeights(d.weights, d.inputs); });
})();

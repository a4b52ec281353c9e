// What the network predicts: each split's confusion matrix at one evaluation (the latest
// unless the slider picks another), the majority verdict as a banner, and for pictures the
// examples it gets right, gets wrong and is least sure of.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text;
  var KINDS = { right: "right, surest first", wrong: "wrong, surest first", unsure: "least sure" };
  // The epoch the slider was moved to; null follows the latest evaluation. An epoch, not a
  // position: past the evaluations kept, each poll spreads them anew and positions move.
  var chosenEpoch = null;

  // The position of the last evaluation at or before ``epoch`` (the first when none is).
  function positionOf(evaluations, epoch) {
    var found = 0;
    evaluations.forEach(function (e, i) { if (e.epoch <= epoch) found = i; });
    return found;
  }

  function cell(tag, content, style) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (style) node.setAttribute("style", style);
    return node;
  }

  // One split's matrix as a table: a cell's shade is its share of the true class's row.
  function matrixTable(split, words, matrix, classes, accuracy) {
    var table = document.createElement("table");
    table.id = "predictions-" + split;
    table.className = "confusion";
    var total = matrix.reduce(function (s, row) { return s + row.reduce(function (a, b) { return a + b; }, 0); }, 0);
    table.appendChild(cell("caption", words + " (" + total + ")" +
      (accuracy === null || accuracy === undefined ? "" : ", accuracy " + accuracy.toFixed(3))));
    var head = document.createElement("tr");
    head.appendChild(cell("th", "true \\ predicted"));
    classes.forEach(function (name) { head.appendChild(cell("th", name)); });
    table.appendChild(head);
    matrix.forEach(function (row, i) {
      var tr = document.createElement("tr"), sum = row.reduce(function (a, b) { return a + b; }, 0);
      tr.appendChild(cell("th", classes[i]));
      row.forEach(function (count, j) {
        var share = sum ? count / sum : 0, hue = i === j ? "40,130,60" : "190,40,40";
        tr.appendChild(cell("td", count, "background: rgba(" + hue + "," + (0.08 + 0.8 * share).toFixed(2) + ")"));
      });
      table.appendChild(tr);
    });
    return table;
  }

  function renderEvaluation(p) {
    var slider = $("predictions-step"), index = Number(slider.value), e = p.evaluations[index];
    text("predictions-step-text", "after epoch " + e.epoch + " (" + (index + 1) + " of " + p.evaluations.length + ")");
    text("predictions-epoch", "after epoch " + e.epoch);
    var box = $("predictions-matrices");
    box.innerHTML = "";
    Object.keys(p.split_words).forEach(function (split) {
      if (e.matrices[split]) box.appendChild(matrixTable(split, p.split_words[split], e.matrices[split], p.classes, e.accuracy[split]));
    });
    var verdict = $("predictions-verdict");
    verdict.textContent = e.verdict ? "After epoch " + e.epoch + ", the network " + e.verdict + "." : "";
    verdict.classList.toggle("hidden", !e.verdict);
  }

  function renderMatrices(p) {
    var slider = $("predictions-step"), last = p.evaluations.length - 1;
    slider.max = last;
    slider.value = chosenEpoch === null ? last : positionOf(p.evaluations, chosenEpoch);
    $("predictions-stepper").classList.toggle("hidden", last === 0);
    slider.oninput = function () {
      var i = Number(slider.value);
      chosenEpoch = i === last ? null : p.evaluations[i].epoch;
      renderEvaluation(p);
    };
    renderEvaluation(p);
  }

  // The grid of a step (``x``: samples by index, with P) over the pictures sent once
  // (``pictures``: thumbnails by sample index).
  function renderGrid(x, pictures) {
    var box = $("predictions-examples");
    box.innerHTML = "";
    if (!x) return;
    if (x.why) {
      box.appendChild(cell("p", "No " + x.split_words + " images right, wrong or unsure: " + x.why + "."));
      return;
    }
    var of = x.samples === x.of ? "" : ", evenly spread over its " + x.of;
    box.appendChild(cell("h3", x.split_words + " images at step " + x.step +
      " (of " + x.samples + of + "): P is the probability of the predicted class"));
    var thumbnails = pictures && pictures.split === x.split ? pictures.pictures : {};
    Object.keys(KINDS).forEach(function (kind) {
      var row = document.createElement("div"), grid = document.createElement("div");
      row.className = "example-row";
      row.id = "predictions-" + kind;
      row.appendChild(cell("div", KINDS[kind] + (x.kinds[kind].length ? "" : ": none"), "font-size: 12px"));
      grid.className = "images";
      x.kinds[kind].forEach(function (s) {
        var figure = document.createElement("figure"), img = document.createElement("img");
        img.src = thumbnails[String(s.sample)] || "";
        img.alt = "sample " + s.sample + ": " + s.true;
        figure.appendChild(img);
        figure.appendChild(cell("figcaption", s.predicted + " P " + s.p.toFixed(2) +
          (kind === "right" ? "" : " (true: " + s.true + ")")));
        grid.appendChild(figure);
      });
      row.appendChild(grid);
      box.appendChild(row);
    });
  }

  function renderPredictions(d) {
    var p = d.predictions;
    var why = !p ? "No evaluation with class counts yet (a regression has none)." : null;
    L.empty("predictions", why);
    $("predictions-stepper").classList.toggle("hidden", !!why);
    $("predictions-verdict").classList.toggle("hidden", true);
    $("predictions-matrices").innerHTML = "";
    if (p) renderMatrices(p);
    renderGrid(d.example_grid, d.example_grid_pictures);
  }

  L.section(["predictions", "example_grid", "example_grid_pictures"], renderPredictions);
})();

// One sample's path: for a chosen example, each layer's activations unit by unit and the
// output per class. Chosen from the list, a thumbnail (images) or a click on the plane (2-D).
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;
  var NOT_KNOWN = "The run's examples are not known here: lnn watch RUN and lnn report RUN read " +
    "the run from its stack, which keeps them only for 2-D inputs. The report lnn train writes " +
    "in --out has them.";
  var chosen = null;  // "split:index" of the sample shown, kept across redraws

  function key(s) { return s.split + ":" + s.index; }

  function describe(s) {
    return s.split + " #" + s.index + (s.point ? " at (" + s.point.join(", ") + ")" : "") +
      ": label " + s.label + ", predicted " + s.predicted;
  }

  function choose(k) { chosen = k; renderPath(L.doc); }

  // The list and the thumbnails are built again only when the samples change (a rebuild
  // closes a dropdown the learner has open, every poll while live); otherwise the choice moves.
  function renderChoices(p, pictures, index) {
    var select = $("sample-path-choice"), thumbs = $("sample-path-thumbs");
    var keys = p.samples.map(key).join(" ") + (pictures ? " pictures" : "");
    if (select.dataset.samples !== keys) {
      select.dataset.samples = keys;
      select.replaceChildren();
      p.samples.forEach(function (s) { select.add(new Option(describe(s), key(s))); });
      select.onchange = function () { choose(select.value); };
      thumbs.replaceChildren();
      (pictures || []).forEach(function (png, i) {
        var s = p.samples[i], img = document.createElement("img");
        img.src = png;
        img.alt = img.title = describe(s);
        img.className = "choice";
        img.onclick = function () { choose(key(s)); };
        thumbs.appendChild(img);
      });
      thumbs.classList.toggle("hidden", !thumbs.children.length);
    }
    // A sample's label stays, its prediction moves with the parameters.
    p.samples.forEach(function (s, i) {
      var option = select.options[i], words = describe(s);
      if (option.text !== words) option.text = words;
    });
    select.selectedIndex = index;
    Array.prototype.forEach.call(thumbs.children, function (img, i) {
      img.classList.toggle("chosen", i === index);
      img.alt = img.title = describe(p.samples[i]);
    });
  }

  // One plot per layer, made once per layer count: a bar per unit (the output: per class).
  function layerPlots(count) {
    var box = $("sample-path-layers");
    if (box.children.length === count) return;
    box.innerHTML = "";
    for (var i = 1; i <= count; i++) {
      var part = document.createElement("div"), title = document.createElement("div");
      var plot = document.createElement("div");
      part.className = "path-layer";
      title.className = "path-layer-title";
      title.id = "sample-path-title-" + i;
      plot.className = "plot short";
      plot.id = "sample-path-layer-" + i;
      part.appendChild(title);
      part.appendChild(plot);
      box.appendChild(part);
    }
  }

  function drawLayer(p, sample, i) {
    var layer = p.layers[i], n = i + 1, output = n === p.layers.length;
    var values = output ? sample.output : sample.layers[i];
    var x = output ? p.output_names : values.map(function (_, u) { return u; });
    var shown = output || layer.units <= p.units_shown ? "" : " (first " + p.units_shown + " of " + layer.units + " units)";
    // A single sigmoid unit gives P(class 1); the page draws P(class 0) = 1 - A beside it.
    var single = output && p.probabilities && layer.units === 1;
    var meaning = !p.probabilities ? "" : single ? "; A[" + n + "] = " + p.output_names[1] + "; " +
      p.output_names[0] + " = 1 − A[" + n + "]" : ", the probability of each class";
    text("sample-path-title-" + n, output
      ? "Output, layer " + n + ": A[" + n + "] = " + layer.activation + "(Z[" + n + "])" + meaning
      : "Layer " + n + ": A[" + n + "] = " + layer.activation + "(Z[" + n + "]), " + layer.units + " units" + shown);
    // A probability bar in its class's colour; any other value by its sign (L.SIGN_STOPS).
    var signs = L.SIGN_STOPS, colours = values.map(function (v, k) {
      if (output && p.probabilities) return L.classColour(k, values.length);
      return L.rgb(v !== null && v < 0 ? signs[0] : signs[signs.length - 1]);
    });
    draw("sample-path-layer-" + n, [{ type: "bar", x: x, y: values, marker: { color: colours },
      hovertemplate: (output ? "%{x}" : "unit %{x}") + ": %{y}<extra></extra>" }],
      { showlegend: false, margin: { l: 50, r: 10, t: 6, b: 40 },
        xaxis: { type: "category", title: { text: output ? "" : "unit", standoff: 4 } },
        yaxis: output && p.probabilities ? { range: [0, 1] } : {} });
  }

  // ``d.sample_pictures``: the samples' thumbnails in their order (image inputs only).
  function renderPath(d) {
    var p = d.sample_path, inputs = d.inputs, pictures = d.sample_pictures;
    var why = !inputs.examples ? NOT_KNOWN : !p ? "No parameters read yet." : null;
    $("sample-path-controls").classList.toggle("hidden", !!why);
    $("sample-path-sample").classList.toggle("hidden", !!why);
    if (empty("sample_path", why)) return;
    text("sample-path-step", "at step " + p.step);
    var index = p.samples.findIndex(function (s) { return key(s) === chosen; });
    if (index < 0) index = 0;
    var sample = p.samples[index];
    chosen = key(sample);
    text("sample-path-hint", p.samples.length + " samples spread over the splits" +
      (inputs.two_d ? "; or click the plane (boundary, enlarged map) for the nearest" : ""));
    renderChoices(p, pictures, index);
    var line = $("sample-path-sample");
    line.innerHTML = "";
    if (pictures) {
      var img = document.createElement("img");
      img.src = pictures[index];
      img.className = "path-picture";
      img.alt = describe(sample);
      line.appendChild(img);
    }
    line.appendChild(document.createTextNode(describe(sample)));
    layerPlots(p.layers.length);
    p.layers.forEach(function (_, i) { drawLayer(p, sample, i); });
  }

  // A click on the input plane picks the sample nearest to it.
  L.on("point", function (point) {
    var p = L.doc && L.doc.sample_path;
    if (!p) return;
    var best = null, distance = Infinity;
    p.samples.forEach(function (s) {
      if (!s.point) return;
      var d = Math.pow(s.point[0] - point.x, 2) + Math.pow(s.point[1] - point.y, 2);
      if (d < distance) { distance = d; best = s; }
    });
    if (best) choose(key(best));
  });

  L.section(["sample_path", "sample_pictures"], renderPath);
})();

// The first layer's weights as pictures.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$, text = L.text, draw = L.draw, empty = L.empty;

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

  L.section(["weights"], function (d) { renderWeights(d.weights, d.inputs); });
})();

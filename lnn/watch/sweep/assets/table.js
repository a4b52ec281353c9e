// The trials table: a row per trial in the order of the column last clicked (the document's
// orders: lnn/watch/sweep/table.py), the best trial marked, each name a link to its report
// once there is one.
(function () {
  "use strict";
  var L = window.LNN, $ = L.$;
  var chosen = null;  // {key, descending}: the user's last click; until then the document's

  // The colour of trial ``index`` of ``count``, the same in every plot and in the table.
  L.trialColour = function (index, count) {
    return "hsl(" + Math.round(360 * index / Math.max(1, count)) + ", 65%, 42%)";
  };

  function header(table, column, sorted) {
    var arrow = column.key === sorted.key ? (sorted.descending ? " ▼" : " ▲") : "";
    var th = L.el("th", column.label + arrow, column.key === "trial" || column.key === "status" ? "text" : "");
    th.setAttribute("data-key", column.key);
    if (arrow) th.setAttribute("aria-sort", sorted.descending ? "descending" : "ascending");
    th.addEventListener("click", function () {
      chosen = column.key === sorted.key ? { key: column.key, descending: !sorted.descending }
        : { key: column.key, descending: column.first === "descending" };
      render(L.doc.table);
    });
    return th;
  }

  function nameCell(table, row) {
    var td = L.el("td", "", "text");
    var swatch = L.el("span", "", "swatch trial");
    swatch.style.background = L.trialColour(row.index, table.rows.length);
    td.append(swatch);
    if (row.best) {
      var mark = L.el("span", "★", "best-mark");
      mark.title = "the best trial by " + table.metric;
      td.append(mark);
    }
    if (row.link) {
      var a = L.el("a", row.name);
      a.href = row.link;
      a.title = "this trial's own report";
      td.append(a);
    } else td.append(row.name);
    return td;
  }

  function statusCell(row) {
    var td = L.el("td", "", "text");
    td.append(L.el("span", row.status, "badge " + row.status));
    if (row.note) {
      td.title = row.note;
      td.append(L.el("span", row.note, "status-note"));
    }
    return td;
  }

  function render(table) {
    var sorted = chosen || table.sorted;
    var column = table.columns.find(function (c) { return c.key === sorted.key; }) || table.columns[0];
    sorted = { key: column.key, descending: sorted.descending };
    var head = L.el("tr");
    table.columns.forEach(function (c) { head.append(header(table, c, sorted)); });
    $("trials-table").tHead.replaceChildren(head);
    var rows = column.order[sorted.descending ? "descending" : "ascending"].map(function (r) {
      var row = table.rows[r], tr = L.el("tr");
      tr.setAttribute("data-trial", row.name);
      if (row.best) tr.classList.add("best");
      if (!row.ended) { tr.classList.add("running"); tr.title = "still running: its results so far"; }
      table.columns.forEach(function (c) {
        if (c.key === "trial") tr.append(nameCell(table, row));
        else if (c.key === "status") tr.append(statusCell(row));
        else tr.append(L.el("td", c.texts[r]));
      });
      return tr;
    });
    $("trials-table").tBodies[0].replaceChildren.apply($("trials-table").tBodies[0], rows);
    L.text("trials-metric", table.metric);
    L.empty("trials", table.rows.length ? null : "The sweep has no trials.");
  }

  L.section(["table"], function (d) { render(d.table); });
})();

(function () {
  "use strict";
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var meta = json("vigie-meta") || {labels: {}};
  var rows = json("vigie-rows") || [];
  var strs = json("vigie-strings") || [];
  var L = meta.labels;
  var locale = meta.lang === "en" ? "en-CA" : "fr-CA";
  // The same digits as the Go side (internal/l10n): fr-CA groups with a narrow
  // no-break space (U+202F) whatever the browser's CLDR data says.
  var nf0 = new Intl.NumberFormat("en-US", {maximumFractionDigits: 1});
  var nf = {format: function (v) {
    var s = nf0.format(v);
    return meta.lang === "en" ? s : s.replace(/,/g, "\u202f").replace(".", ",");
  }};
  function t(k) { return L[k] || k; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function safeURL(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }
  function scoreColour(td, v) {
    if (v === null || v === undefined) return;
    var h = Math.max(0, Math.min(100, v)) * 1.2;
    td.style.backgroundColor = "hsla(" + h + ",70%,50%,0.22)";
  }
  function fmt(v) { return v === null || v === undefined ? "—" : nf.format(v); }

  // Server-rendered tables: sort on header click (numbers and text).
  function sortTable(table, col, type, th) {
    var body = table.tBodies[0];
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var list = Array.prototype.slice.call(body.rows);
    list.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
      if (type === "num") {
        var nx = x === "" || x === null ? null : parseFloat(x), ny = y === "" || y === null ? null : parseFloat(y);
        if (nx === null) return ny === null ? 0 : 1;
        if (ny === null) return -1;
        return (nx - ny) * dir;
      }
      return String(x || "").localeCompare(String(y || ""), locale) * dir;
    });
    list.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      var b = th.querySelector("button");
      if (b) b.addEventListener("click", function () { sortTable(table, i, th.getAttribute("data-type"), th); });
    });
    Array.prototype.forEach.call(table.querySelectorAll("td.score"), function (td) {
      var v = td.getAttribute("data-v");
      if (v !== "") scoreColour(td, parseFloat(v));
    });
  });

  // Datasets: filter, sort and page through the JSON rows.
  var orgTitle = {};
  var orgSel = document.getElementById("f-org");
  if (orgSel) Array.prototype.forEach.call(orgSel.options, function (o) { if (o.value) orgTitle[o.value] = o.textContent; });
  var search = rows.map(function (r) { return (r[1] + " " + r[2] + " " + r[3] + " " + (orgTitle[r[3]] || "")).toLowerCase(); });
  var state = {q: "", org: "", rating: "", status: "", sev: "", key: 5, dir: 1, page: 0, size: 50, open: {}};
  var view = [];
  var table = document.getElementById("ds");
  if (!table) return;
  var tbody = table.tBodies[0];
  var count = document.getElementById("ds-count");
  var info = document.getElementById("pg-info");
  var prev = document.getElementById("pg-prev"), next = document.getElementById("pg-next");

  function apply() {
    var q = state.q.toLowerCase().trim();
    view = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (state.org && r[3] !== state.org) continue;
      if (state.rating && r[11] !== state.rating) continue;
      if (state.status && r[12] !== state.status) continue;
      if (state.sev === "e" && !r[14]) continue;
      if (state.sev === "w" && !r[15]) continue;
      if (q && search[i].indexOf(q) < 0) continue;
      view.push(i);
    }
    sortView();
  }
  function sortView() {
    var k = state.key, dir = state.dir;
    view.sort(function (a, b) {
      var x = rows[a][k], y = rows[b][k];
      if (x === null || x === "") return (y === null || y === "") ? a - b : 1;
      if (y === null || y === "") return -1;
      if (typeof x === "number") return (x - y) * dir || a - b;
      return String(x).localeCompare(String(y), locale) * dir || a - b;
    });
    state.page = 0;
    render();
  }
  function findingsCell(r, span) {
    var tr = el("tr", "detail");
    var td = el("td");
    td.colSpan = span;
    var fs = r[17];
    if (!fs.length) { td.appendChild(el("p", "note", t("no_findings"))); tr.appendChild(td); return tr; }
    var ul = el("ul", "findings");
    fs.forEach(function (f) {
      var li = el("li");
      var sev = f[1] === "e" ? "error" : f[1] === "w" ? "warning" : "info";
      li.appendChild(el("span", "sev " + sev, t(sev)));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("code", null, strs[f[0]]));
      li.appendChild(document.createTextNode(" · " + t(strs[f[2]]) + (f[4] ? " · −" + nf.format(f[4]) + " " + t("col_points").toLowerCase() : "") + (f[3] ? " · " + t("col_resource") + " " + f[3] : "")));
      li.appendChild(el("div", null, strs[f[5]]));
      if (strs[f[6]]) li.appendChild(el("div", "hint", "→ " + strs[f[6]]));
      ul.appendChild(li);
    });
    td.appendChild(ul);
    tr.appendChild(td);
    return tr;
  }
  function render() {
    var span = table.tHead.rows[0].cells.length;
    var pages = Math.max(1, Math.ceil(view.length / state.size));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * state.size, end = Math.min(view.length, start + state.size);
    var frag = document.createDocumentFragment();
    for (var n = start; n < end; n++) {
      var idx = view[n], r = rows[idx];
      var tr = el("tr");
      var td0 = el("td");
      var nf0 = r[14] + r[15] + r[16];
      var btn = el("button", "btn", (state.open[idx] ? "▾ " : "▸ ") + nf0);
      btn.type = "button";
      btn.setAttribute("aria-expanded", state.open[idx] ? "true" : "false");
      btn.setAttribute("aria-label", t("show_findings") + " (" + nf0 + ")");
      btn.dataset.idx = idx;
      td0.appendChild(btn);
      tr.appendChild(td0);
      var th = el("th");
      th.scope = "row";
      var u = safeURL(r[4]);
      if (u) { var a = el("a", null, r[2] || r[1]); a.href = u; a.rel = "noreferrer"; th.appendChild(a); }
      else th.textContent = r[2] || r[1];
      th.appendChild(el("br"));
      th.appendChild(el("span", "note", r[1]));
      tr.appendChild(th);
      tr.appendChild(el("td", "hide-sm", orgTitle[r[3]] || r[3] || t("no_org")));
      [5, 6, 7, 8, 9].forEach(function (k) {
        var td = el("td", "score" + (k > 5 ? " hide-sm" : ""), fmt(r[k]));
        scoreColour(td, r[k]);
        tr.appendChild(td);
      });
      tr.appendChild(el("td", "n", r[10] + (r[11] ? " · " + t(r[11]) : "")));
      tr.appendChild(el("td", "hide-sm", t(r[12])));
      tr.appendChild(el("td", "n hide-sm", "★".repeat(r[13]) || "0"));
      tr.appendChild(el("td", "n", r[14]));
      tr.appendChild(el("td", "n hide-sm", r[15]));
      frag.appendChild(tr);
      if (state.open[idx]) frag.appendChild(findingsCell(r, span));
    }
    tbody.textContent = "";
    tbody.appendChild(frag);
    count.textContent = nf.format(view.length) + " / " + nf.format(rows.length) + " " + t("rows");
    info.textContent = t("page") + " " + (state.page + 1) + " / " + pages;
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      var k = c.getAttribute("data-k");
      if (k === null) return;
      if (+k === state.key) c.setAttribute("aria-sort", state.dir === 1 ? "ascending" : "descending");
      else c.removeAttribute("aria-sort");
    });
  }
  tbody.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-idx]");
    if (!b) return;
    var idx = +b.dataset.idx;
    state.open[idx] = !state.open[idx];
    render();
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
    var k = c.getAttribute("data-k"), b = c.querySelector("button");
    if (k === null || !b) return;
    b.addEventListener("click", function () {
      if (state.key === +k) state.dir = -state.dir; else { state.key = +k; state.dir = 1; }
      sortView();
    });
  });
  var form = document.getElementById("ds-filters");
  if (form) form.addEventListener("submit", function (e) { e.preventDefault(); });
  var timer = null;
  document.getElementById("f-q").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = e.target.value; apply(); }, 150);
  });
  [["f-org", "org"], ["f-rating", "rating"], ["f-status", "status"], ["f-sev", "sev"]].forEach(function (p) {
    document.getElementById(p[0]).addEventListener("change", function (e) { state[p[1]] = e.target.value; apply(); });
  });
  prev.addEventListener("click", function () { if (state.page > 0) { state.page--; render(); } });
  next.addEventListener("click", function () { state.page++; render(); });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-org]"), function (b) {
    b.addEventListener("click", function () {
      orgSel.value = b.getAttribute("data-org");
      state.org = orgSel.value;
      apply();
      document.getElementById("datasets").scrollIntoView();
    });
  });
  apply();
})();

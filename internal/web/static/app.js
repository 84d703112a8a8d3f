// sluice dashboard: keeps running imports moving without reloading the page,
// and puts the keyboard on the first field with an error. No framework.
(function () {
  "use strict";

  // A form that came back with an error: start where the problem is.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();

  var root = document.querySelector("[data-poll]");
  if (!root) return;
  var endpoint = root.getAttribute("data-poll");
  var reloadWhenDone = root.hasAttribute("data-reload");
  var newest = root.getAttribute("data-newest");
  var failures = 0;

  function running() {
    var ids = [];
    var rows = document.querySelectorAll("[data-import][data-running]");
    for (var i = 0; i < rows.length; i++) ids.push(rows[i].getAttribute("data-import"));
    return ids;
  }

  function set(row, field, text) {
    var els = row.querySelectorAll("[data-field=" + field + "]");
    for (var i = 0; i < els.length; i++) els[i].textContent = text;
  }

  // update puts an import's new state into its row (or the detail page).
  function update(imp) {
    var row = document.querySelector("[data-import='" + imp.id + "']");
    if (!row) return;
    var badge = row.querySelector("[data-field=status]");
    if (badge) {
      badge.textContent = imp.status;
      badge.className = "badge badge-" + imp.status;
    }
    set(row, "statusText", imp.status);
    set(row, "rowsImported", imp.rowsImported);
    set(row, "rowsFailed", imp.rowsFailed);
    set(row, "rowsRead", imp.rowsRead);
    set(row, "bytesRead", imp.bytesRead);
    set(row, "percentText", imp.percent);
    if (imp.startedAt !== "—") set(row, "startedAt", imp.startedAt);
    if (imp.finishedAt !== "—") set(row, "finishedAt", imp.finishedAt);
    var bar = row.querySelector("[data-field=bar]");
    if (bar && imp.status === "processing") bar.value = imp.percent;
    var pct = row.querySelector("[data-field=percent]");
    if (pct) pct.textContent = imp.status === "processing" ? imp.percent + "%" :
      imp.status === "waiting" ? "waiting for the data file" : "in the queue";
    if (!imp.running) {
      row.removeAttribute("data-running");
      var progress = row.querySelector("[data-field=progress]");
      if (progress) progress.parentNode.removeChild(progress);
      if (reloadWhenDone) window.location.reload();
    }
  }

  function poll() {
    var ids = running();
    var q = ids.map(function (id) { return "id=" + encodeURIComponent(id); });
    if (newest !== null) {
      q.push("newest=" + encodeURIComponent(newest));
      q.push("status=" + encodeURIComponent(root.getAttribute("data-status") || ""));
    }
    if (q.length === 0) return; // nothing left to watch
    fetch(endpoint + "?" + q.join("&"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("application/json") !== 0) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        data.imports.forEach(update);
        var notice = document.getElementById("newer");
        if (notice && data.newer > 0) notice.hidden = false;
        schedule();
      })
      .catch(function () {
        failures++;
        if (failures < 5) schedule(); // the session ended or the server is gone: stop after a few tries
      });
  }

  // Poll fast while something runs, slowly while only watching for arrivals.
  function schedule() {
    window.setTimeout(poll, running().length > 0 ? 1000 : 2000);
  }
  schedule();
})();

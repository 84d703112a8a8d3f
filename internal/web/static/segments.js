// sluice segment builder: a live count as the filter changes, rows added and
// removed in place, the JSON box and the form kept in step. The server reads
// the form (POST /segments/count, the same code as the page's own submit),
// so this script never builds a filter itself. Without it the page works by
// its buttons.
(function () {
  "use strict";

  var form = document.getElementById("seg-form");
  if (!form) return;
  var rows = document.getElementById("seg-rows");
  var conds = document.getElementById("seg-conds");
  var json = document.getElementById("seg-json");
  var shown = document.getElementById("seg-shown");
  var count = document.getElementById("seg-count");
  var table = document.getElementById("seg-table");
  var nofit = document.getElementById("seg-nofit");
  var jsonError = document.getElementById("seg-json-error");
  var formError = document.getElementById("seg-form-error");
  var template = document.getElementById("seg-row-template");
  var timer = 0;
  var inflight = null;

  // Fields that save or export the filter do not change it.
  function filterField(el) {
    return !el.closest("#seg-use") && el.name !== "csrf";
  }

  form.addEventListener("input", function (e) { if (filterField(e.target)) schedule(); });
  form.addEventListener("change", function (e) { if (filterField(e.target)) schedule(); });

  form.addEventListener("click", function (e) {
    var b = e.target.closest("button[name=do]");
    if (!b) return;
    if (b.value === "add") {
      e.preventDefault();
      addRow();
    } else if (b.value.indexOf("remove-") === 0) {
      e.preventDefault();
      removeRow(b.closest(".cond"));
    }
  });

  // Enter presses the form's first button, "show"; in the name field it
  // saves instead, as the button next to the field says.
  var name = document.getElementById("seg-name");
  var save = document.getElementById("seg-save");
  form.addEventListener("submit", function (e) {
    if (document.activeElement === name && e.submitter && e.submitter !== save && e.submitter.value === "show") {
      e.preventDefault();
      window.setTimeout(function () { save.click(); }, 0); // a form ignores a submit from inside its submit event
    }
  });

  function nextKey() {
    var next = 0;
    conds.querySelectorAll(".cond").forEach(function (li) {
      var n = parseInt(li.getAttribute("data-row"), 10);
      if (n >= next) next = n + 1;
    });
    return String(next);
  }

  function addRow() {
    var key = nextKey();
    conds.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__i__/g, key));
    document.getElementById("c" + key + "-kind").focus();
    schedule();
  }

  // removeRow drops a row and puts the keyboard on the next one (or on
  // "Add a condition"), so it is not lost with the button that went away.
  function removeRow(li) {
    var next = li.nextElementSibling || li.previousElementSibling;
    li.parentNode.removeChild(li);
    var focus = next ? next.querySelector(".remove") : document.getElementById("seg-add");
    focus.focus();
    schedule();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, 300);
    count.setAttribute("aria-busy", "true");
  }

  function send() {
    if (json.value.trim() === "") rows.disabled = false; // an empty box gives the filter back to the form
    if (inflight) inflight.abort();
    inflight = new AbortController();
    var sentJSON = json.value;
    fetch("/segments/count", {
      method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
      headers: { "Accept": "application/json" }, signal: inflight.signal
    })
      .then(function (r) {
        if ((r.ok || r.status === 400) && (r.headers.get("Content-Type") || "").indexOf("application/json") === 0) return r.json();
        throw new Error(r.status);
      })
      .then(function (d) { apply(d, sentJSON); })
      .catch(function (err) {
        if (err.name === "AbortError") return;
        count.removeAttribute("aria-busy");
        count.textContent = "The count could not be updated. Press “Show matching profiles” to try again.";
      });
  }

  function apply(d, sentJSON) {
    count.removeAttribute("aria-busy");
    count.textContent = d.countText;
    table.innerHTML = d.table;
    say(jsonError, d.jsonError);
    json.setAttribute("aria-invalid", d.jsonError ? "true" : "false");
    say(formError, d.formError);
    conds.querySelectorAll(".cond").forEach(function (li) {
      var key = li.getAttribute("data-row");
      var el = document.getElementById("c" + key + "-error");
      if (el) say(el, d.rowErrors[key] || "");
    });
    if (!d.fromJSON) {
      // The rows are the filter: the box shows their JSON, unless it is being typed in.
      if (document.activeElement !== json) {
        json.value = d.json;
        shown.value = d.json;
      }
    } else if (d.fits) {
      if (d.rows !== undefined && json.value === sentJSON) conds.innerHTML = d.rows;
      shown.value = sentJSON;
    }
    rows.disabled = d.fromJSON && !d.fits;
    nofit.hidden = !(d.fromJSON && !d.fits && !d.jsonError);
  }

  function say(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }
})();

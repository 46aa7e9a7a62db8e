// Departure and arrival checks of a convoy on a phone. Every button is a plain form
// POST that works without JavaScript; here the same POSTs go through fetch (asking for
// JSON) so the officer stays on the page: the household's card, the counters and a note
// are updated in place. "Scan card" opens the camera (BarcodeDetector when the browser
// has it, else the vendored jsQR, loaded only when needed) and submits what it reads
// through the scan box, which also takes a typed registration id.
(function () {
  "use strict";
  var root = document.getElementById("check");
  if (!root) { return; }
  var T = (document.getElementById("check-strings") || { dataset: {} }).dataset;
  var stage = root.dataset.stage;
  var BADGE = { planned: "text-bg-light border", boarded: "text-bg-success", no_show: "text-bg-danger", arrived: "text-bg-success" };
  var BORDER = { planned: "", boarded: "border-success", no_show: "border-danger", arrived: "border-success" };

  function $(id) { return document.getElementById(id); }

  function note(text, kind) {
    var box = $("check-note");
    if (!box) { return; }
    box.className = "alert py-2 mb-2 alert-" + (kind || "info");
    box.textContent = text || "";
    box.hidden = !text;
    box.setAttribute("data-kind", kind || "info");
  }

  function setCounters(counts, people) {
    Object.keys(counts || {}).forEach(function (key) {
      var el = root.querySelector('[data-count="' + key + '"]');
      if (el) { el.textContent = counts[key]; }
      var p = root.querySelector('[data-people="' + key + '"]');
      if (p && people) { p.textContent = people[key]; }
    });
    var rebalance = $("rebalance-box");
    if (rebalance && counts) { rebalance.hidden = !(counts.no_show > 0); }
  }

  function setCard(id, status, label) {
    var card = $("load-" + id);
    if (!card) { return; }
    card.setAttribute("data-status", status);
    ["border-success", "border-danger"].forEach(function (c) { card.classList.remove(c); });
    if (BORDER[status]) { card.classList.add(BORDER[status]); }
    var badge = card.querySelector('[data-role="status"]');
    if (badge) {
      badge.className = "badge " + BADGE[status];
      badge.textContent = label;
    }
    Array.prototype.forEach.call(card.querySelectorAll("button[data-for]"), function (b) {
      var target = b.getAttribute("data-for");
      b.disabled = target === "arrived" ? status !== "boarded" : target === status;
    });
  }

  function submit(form) {
    var button = form.querySelector('[type="submit"]');
    if (button && button.disabled) { return; }
    var body = new URLSearchParams(new FormData(form));
    if (button) { button.disabled = true; }
    note(T.sending, "secondary");
    // A field named "action" shadows form.action: read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: body
    }).then(function (r) {
      return r.json().then(function (j) { return j; }, function () { return null; });
    }).then(function (j) {
      if (button) { button.disabled = false; }
      if (!j || typeof j.ok !== "boolean") { note(T.failed, "danger"); return; }
      if (!j.ok) { note(j.message, "danger"); restore(form); return; }
      setCard(j.load, j.status, j.status_label);
      setCounters(j.counts, j.people);
      note(j.message, j.status === "no_show" ? "warning" : "success");
      var code = form.querySelector('input[name="code"]');
      if (code) { code.value = ""; code.focus(); }
    }, function () {
      if (button) { button.disabled = false; }
      note(T.failed, "danger");
    });
  }

  // A refused tick leaves the card as it was: put its buttons back as its status says.
  function restore(form) {
    var load = form.querySelector('input[name="load"]');
    if (!load) { return; }
    var card = $("load-" + load.value);
    if (card) {
      var badge = card.querySelector('[data-role="status"]');
      setCard(load.value, card.getAttribute("data-status"), badge ? badge.textContent : "");
    }
  }

  root.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("js-check") || !window.fetch) { return; }
    e.preventDefault();
    submit(form);
  });

  // --- camera ------------------------------------------------------------------------
  var scanner = window.SanadQrScanner({
    video: $("scanner-video"), canvas: $("scanner-canvas"), jsqrUrl: root.dataset.jsqrUrl,
    onCode: function (text) { scanned(text); },
  });
  function scannerStatus(text) { var s = $("scanner-status"); if (s) { s.textContent = text; } }
  function openScanner() {
    note("");
    if (!scanner.available) { note(T.noCamera, "warning"); return; }
    $("scanner").hidden = false;
    scanner.open()
      .then(function () { scannerStatus(T.aim); })
      .catch(function () { closeScanner(); note(T.noCamera, "warning"); });
  }
  function closeScanner() {
    scanner.close();
    var box = $("scanner");
    if (box) { box.hidden = true; }
  }
  function scanned(text) {
    closeScanner();
    var form = root.querySelector('form[data-testid="scan-form"]');
    if (!form) { return; }
    form.querySelector('input[name="code"]').value = text;
    submit(form);
  }

  var cameraButton = root.querySelector('[data-action="scan"]');
  if (cameraButton && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    cameraButton.hidden = false;
  }
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-action]");
    if (!el) { return; }
    var action = el.getAttribute("data-action");
    if (action === "scan") { openScanner(); }
    else if (action === "close-scanner") { closeScanner(); }
  });

  // For tests and hand-held scanners.
  window.sanadCheck = { scanned: scanned, stage: stage };
})();

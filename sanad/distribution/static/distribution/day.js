// Distribution day on a phone: scan a card's QR code (BarcodeDetector when the browser
// has it, else the vendored jsQR, loaded only when needed), or search; then record the
// receipt with a signature drawn on a canvas. Each household shown gets a client_key, so
// a retry or a double tap never records twice. When the connection drops the receipt is
// kept in localStorage and sent when the phone is back online.
(function () {
  "use strict";
  var root = document.getElementById("day");
  if (!root) { return; }
  var T = document.getElementById("day-strings").dataset;
  var urls = {
    household: root.dataset.householdUrl,
    receipt: root.dataset.receiptUrl,
    jsqr: root.dataset.jsqrUrl
  };
  var QUEUE = "sanad.day.queue." + root.dataset.event;
  var RETRY_DELAYS = [0, 1500, 4000];

  function $(id) { return document.getElementById(id); }
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function store(key, value) {
    try { if (value === undefined) { return localStorage.getItem(key); } localStorage.setItem(key, value); } catch (e) { return null; }
    return value;
  }
  function device() {
    var id = store("sanad.device");
    if (!id) { id = store("sanad.device", "web-" + uuid().slice(0, 8)); }
    return id || "web";
  }
  function note(text) { $("day-note").textContent = text || ""; }

  // --- counter -----------------------------------------------------------------------
  function setCounter(c) {
    if (!c) { return; }
    $("day-received").textContent = c.received;
    $("day-expected").textContent = c.expected;
    var pct = c.expected > 0 ? Math.min(100, Math.floor(c.received * 100 / c.expected)) : 0;
    $("day-progress").style.width = pct + "%";
  }

  // --- offline queue -----------------------------------------------------------------
  function readQueue() {
    try { return JSON.parse(store(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) {
    store(QUEUE, JSON.stringify(items));
    showQueue();
  }
  function showQueue() {
    var n = readQueue().length;
    $("day-queue").hidden = n === 0;
    $("day-queue-count").textContent = n;
    $("day-offline").hidden = navigator.onLine !== false;
  }
  function enqueue(data) {
    var items = readQueue();
    if (!items.some(function (x) { return x.client_key === data.client_key; })) { items.push(data); }
    writeQueue(items);
  }
  function problem(text) {
    var li = document.createElement("li");
    li.textContent = text;
    $("day-problems").appendChild(li);
  }

  // --- sending -----------------------------------------------------------------------
  // Resolves {status, json}; json is null when the answer was not ours (a proxy's error
  // page, an expired session's login page): such a receipt is not recorded, keep it.
  function post(data) {
    return fetch(urls.receipt, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: new URLSearchParams(data)
    }).then(function (r) {
      return r.json().then(
        function (j) { return { status: r.status, json: j && typeof j.ok === "boolean" ? j : null }; },
        function () { return { status: r.status, json: null }; }
      );
    });
  }
  function delivered(res) { return res.json !== null && res.status < 500; }
  function sendWithRetry(data) {
    var attempt = 0;
    function go() {
      return post(data).then(function (res) {
        if (delivered(res) || attempt >= RETRY_DELAYS.length - 1) { return res; }
        return again();
      }, function (err) {
        if (attempt >= RETRY_DELAYS.length - 1) { throw err; }
        return again();
      });
    }
    function again() {
      attempt += 1;
      return new Promise(function (resolve) { setTimeout(resolve, RETRY_DELAYS[attempt]); }).then(go);
    }
    return go();
  }
  var flushing = false;
  function flush() {
    var items = readQueue();
    if (flushing || !items.length || navigator.onLine === false) { showQueue(); return; }
    flushing = true;
    var head = items[0];
    post(head).then(function (res) {
      if (!delivered(res)) { return false; }
      writeQueue(readQueue().filter(function (x) { return x.client_key !== head.client_key; }));
      if (res.json.ok) { setCounter(res.json.counter); } else { problem(res.json.message); }
      return true;
    }, function () { return false; }).then(function (more) {
      flushing = false;
      if (more) { flush(); } else { showQueue(); }
    });
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showQueue);
  setInterval(flush, 30000);

  // --- signature pad -----------------------------------------------------------------
  function pad(canvas) {
    var ctx = canvas.getContext("2d");
    var drawing = false, dirty = false, last = null;
    function reset() {
      var r = canvas.getBoundingClientRect();
      var s = Math.min(window.devicePixelRatio || 1, 2);
      canvas.width = Math.max(1, Math.round(r.width * s));
      canvas.height = Math.max(1, Math.round(r.height * s));
      ctx.setTransform(s, 0, 0, s, 0, 0);
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, r.width, r.height);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round";
      ctx.strokeStyle = "#111"; ctx.fillStyle = "#111";
      dirty = false;
    }
    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      drawing = true; last = pos(e); dirty = true;
      if (canvas.setPointerCapture) { try { canvas.setPointerCapture(e.pointerId); } catch (x) { /* synthetic */ } }
      ctx.beginPath(); ctx.arc(last.x, last.y, 1.5, 0, Math.PI * 2); ctx.fill();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      var p = pos(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    reset();
    return { reset: reset, dirty: function () { return dirty; }, png: function () { return canvas.toDataURL("image/png"); } };
  }

  // --- the household panel and the receipt ---------------------------------------------
  var signature = null;
  function initPanel() {
    $("results").innerHTML = "";
    var panel = $("panel");
    if (panel.scrollIntoView) { panel.scrollIntoView({ block: "start" }); }
    var form = $("receipt-form");
    signature = null;
    if (!form) { return; }
    form.elements.client_key.value = uuid();
    form.elements.device.value = device();
    signature = pad($("pad"));
    Array.prototype.forEach.call(form.querySelectorAll('input[name="proof"]'), function (radio) {
      radio.addEventListener("change", function () {
        var show = form.elements.proof.value !== "declared";
        $("pad-box").hidden = !show;
        if (show) { signature.reset(); }
      });
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); submit(form); });
  }
  function showError(text) {
    var box = $("receipt-error");
    box.textContent = text; box.hidden = !text;
  }
  function submit(form) {
    var button = form.querySelector('[type="submit"]');
    if (button.disabled) { return; }
    var data = {};
    new FormData(form).forEach(function (value, key) { data[key] = value; });
    if (!data.collected_by) { showError(T.needCollector); return; }
    if (data.proof !== "declared") {
      if (!signature || !signature.dirty()) { showError(T.needSignature); return; }
      data.signature = signature.png();
    } else {
      data.signature = "";
    }
    showError("");
    button.disabled = true;
    button.textContent = T.sending;
    if (navigator.onLine === false) { enqueue(data); done(T.queued, "warning"); return; }
    sendWithRetry(data).then(function (res) {
      if (res.json && res.json.ok) { setCounter(res.json.counter); done(res.json.message, "success"); }
      else if (delivered(res)) { done(res.json.message, "danger"); }
      else { enqueue(data); done(T.queued, "warning"); }
    }, function () { enqueue(data); done(T.queued, "warning"); });
  }
  function done(message, kind) {
    var icons = { success: "bi-check-circle-fill", warning: "bi-cloud-arrow-up-fill", danger: "bi-x-octagon-fill" };
    var titles = { success: T.recorded, warning: T.saved, danger: T.refused };
    var panel = $("panel");
    panel.innerHTML = "";
    var card = document.createElement("div");
    card.className = "card border-2 border-" + kind + " mb-3 text-center";
    card.setAttribute("data-testid", "day-done");
    card.setAttribute("data-kind", kind);
    card.innerHTML = '<div class="card-body py-4"><i class="bi ' + icons[kind] + " text-" + kind +
      ' display-3" aria-hidden="true"></i><p class="fs-4 fw-bold mt-2 mb-1"></p><p class="mb-3" data-testid="day-done-message"></p>' +
      '<div class="d-grid gap-2"><button type="button" class="btn btn-primary btn-lg py-3 day-big" data-action="scan" data-testid="day-next"></button>' +
      '<button type="button" class="btn btn-outline-secondary" data-action="search"></button></div></div>';
    card.querySelector("p.fs-4").textContent = titles[kind];
    card.querySelector("[data-testid=day-done-message]").textContent = message;
    card.querySelector("[data-action=scan]").textContent = T.next;
    card.querySelector("[data-action=search]").textContent = T.search;
    panel.appendChild(card);
    showQueue();
    window.scrollTo(0, 0);
  }
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "panel") { initPanel(); }
  });
  function loadHousehold(params) {
    note("");
    var url = urls.household + "?" + new URLSearchParams(params).toString();
    return window.htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" });
  }

  // --- camera ------------------------------------------------------------------------
  var scanner = window.SanadQrScanner({
    video: $("scanner-video"), canvas: $("scanner-canvas"), jsqrUrl: urls.jsqr,
    onCode: function (text) { scanned(text); },
  });
  function scannerStatus(text) { $("scanner-status").textContent = text; }
  function openScanner() {
    note("");
    if (!scanner.available) { note(T.noCamera); return; }
    $("scanner").hidden = false;
    $("panel").innerHTML = ""; $("results").innerHTML = "";
    scanner.open()
      .then(function () { scannerStatus(T.aim); })
      .catch(function () { closeScanner(); note(T.noCamera); });
  }
  function closeScanner() {
    scanner.close();
    $("scanner").hidden = true;
  }
  function scanned(text) {
    closeScanner();
    loadHousehold({ token: text });
  }

  // --- buttons -----------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-action]");
    if (!el || !root.contains(el) && !$("panel").contains(el)) { return; }
    var action = el.getAttribute("data-action");
    if (action === "scan") { openScanner(); }
    else if (action === "close-scanner") { closeScanner(); }
    else if (action === "flush") { flush(); }
    else if (action === "clear-pad" && signature) { signature.reset(); }
    else if (action === "back" || action === "search") {
      $("panel").innerHTML = ""; $("results").innerHTML = "";
      var q = $("day-q"); q.value = ""; q.focus();
      window.scrollTo(0, 0);
    }
  });

  // For tests and hand-held scanners that act as a keyboard elsewhere on the page.
  window.sanadDay = { scanned: scanned, flush: flush, queue: readQueue };
  showQueue();
  flush();
})();

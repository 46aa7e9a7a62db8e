// The vendor's phone page: scan the voucher's QR code (BarcodeDetector when the browser
// has it, else the vendored jsQR, loaded only when needed) or type its code; see the
// balance and what it buys here; add the items sold (prices from the contract); type
// the PIN when asked; confirm. Each attempt gets an idempotency key: a retry after a
// network failure, or a double tap, sends the same key and is charged once. Changing
// the sale makes a new attempt (a new key). Every sentence comes from the template's
// data attributes, so it is translated.
(function () {
  "use strict";
  var root = document.getElementById("redeem");
  if (!root || !document.getElementById("redeem-find")) { return; }
  var T = document.getElementById("redeem-strings").dataset;
  var urls = { voucher: root.dataset.voucherUrl, sale: root.dataset.saleUrl, jsqr: root.dataset.jsqrUrl };
  var RETRY_DELAYS = [0, 1500, 4000];
  var voucher = null;     // what the server said about the voucher being sold against
  var attemptKey = null;  // the idempotency key of the current attempt
  var sending = false;

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
  function note(text) { $("redeem-note").textContent = text || ""; }
  function show(el, on) { el.hidden = !on; }

  // --- money: cents as integers, so 0.1 + 0.2 is 0.3 -----------------------------------
  function cents(text) {
    var s = String(text == null ? "" : text).trim().replace(/[\u0660-\u0669]/g, function (d) {
      return String(d.charCodeAt(0) - 0x0660);  // Arabic-Indic digits typed on a phone
    }).replace(/[\u066B,]/g, ".");
    if (!/^\d+(\.\d{1,2})?$/.test(s)) { return null; }
    var parts = s.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }
  function plain(c) {  // cents → "12.5" / "25000", what the server reads
    var whole = Math.floor(c / 100), frac = c % 100;
    return frac ? whole + "." + (frac < 10 ? "0" : "") + frac : String(whole);
  }
  function number(c) {
    return (c / 100).toLocaleString("en-US", { minimumFractionDigits: c % 100 ? 2 : 0, maximumFractionDigits: 2 });
  }
  function fmt(c) { return voucher ? number(c) + " " + voucher.currency : number(c); }

  // --- find the voucher ----------------------------------------------------------------
  function normalise(text) {
    var s = String(text || "").trim();
    var colon = s.lastIndexOf(":");  // a QR code may carry a prefix such as SNDV1:
    if (colon >= 0) { s = s.slice(colon + 1); }
    return s.replace(/[\s-]/g, "").toUpperCase();
  }
  function lookup(raw) {
    var code = normalise(raw);
    if (code.length !== 16) { note(T.needCode); $("redeem-code").focus(); return; }
    note("");
    var button = document.querySelector('[data-testid="redeem-check"]');
    button.disabled = true;
    fetch(urls.voucher + "?" + new URLSearchParams({ code: code }).toString(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return null; });
    }).then(function (j) {
      button.disabled = false;
      if (!j) { note(T.unexpected); return; }
      if (!j.ok) { note(j.message); return; }
      startSale(j);
    }, function () { button.disabled = false; note(T.offline); });
  }

  function startSale(info) {
    voucher = info;
    attemptKey = null;
    $("redeem-done").innerHTML = "";
    show($("redeem-find"), false);
    show($("redeem-sale"), true);
    $("redeem-voucher-code").textContent = info.code;
    $("redeem-expires").textContent = info.expires_on;
    $("redeem-balance").textContent = info.balance_text;
    var cats = $("redeem-categories");
    cats.textContent = T.buys + " " + (info.categories.length ? info.categories.join(", ") : T.anyItem) +
      (info.require_pin ? " · " + T.pinNeeded : "");
    var refusal = $("redeem-refusal");
    refusal.textContent = info.refusal || "";
    show(refusal, !info.usable);
    show($("redeem-form"), true);
    Array.prototype.forEach.call($("redeem-form").querySelectorAll("input,select,button[type=submit],[data-action=add-line]"), function (el) {
      el.disabled = !info.usable;
    });
    $("redeem-lines").innerHTML = "";
    $("redeem-pin").value = "";
    show($("redeem-pin-box"), !!info.require_pin);
    showError("");
    if (info.usable) { addLine(); }
    recompute();
    window.scrollTo(0, 0);
  }

  // --- the lines of the sale -----------------------------------------------------------
  function addLine() {
    var node = $("redeem-line-tpl").content.firstElementChild.cloneNode(true);
    var n = $("redeem-lines").children.length + 1;
    Array.prototype.forEach.call(node.querySelectorAll("[data-field]"), function (el) {
      if (el.tagName === "INPUT" || el.tagName === "SELECT") { el.id = "line-" + n + "-" + el.dataset.field; }
    });
    Array.prototype.forEach.call(node.querySelectorAll("label[data-for]"), function (label) {
      label.setAttribute("for", "line-" + n + "-" + label.dataset.for);
    });
    var select = node.querySelector("[data-field=item]");
    voucher.items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = item.name + (item.unit_price ? " · " + item.unit_price : "");
      option.dataset.price = item.unit_price || "";
      select.appendChild(option);
    });
    if (voucher.items.length === 1) { select.value = voucher.items[0].code; }
    select.addEventListener("change", function () {
      var chosen = select.options[select.selectedIndex];
      if (chosen && chosen.dataset.price) { node.querySelector("[data-field=unit_price]").value = chosen.dataset.price; }
      changed();
    });
    Array.prototype.forEach.call(node.querySelectorAll("input"), function (input) {
      input.addEventListener("input", changed);
    });
    $("redeem-lines").appendChild(node);
    if (select.value) { select.dispatchEvent(new Event("change")); }
    changed();
    return node;
  }
  function lines() {
    return Array.prototype.map.call($("redeem-lines").children, function (node) {
      var q = cents(node.querySelector("[data-field=quantity]").value);
      var p = cents(node.querySelector("[data-field=unit_price]").value);
      var amount = q !== null && p !== null ? Math.round(q * p / 100) : null;
      return { node: node, item: node.querySelector("[data-field=item]").value, q: q, p: p, amount: amount };
    });
  }
  function recompute() {
    var total = 0;
    lines().forEach(function (l) {
      l.node.querySelector("[data-field=amount]").textContent = l.amount === null ? "—" : number(l.amount);
      total += l.amount || 0;
    });
    var balance = voucher ? cents(voucher.balance) : 0;
    $("redeem-total").textContent = fmt(total);
    $("redeem-after").textContent = fmt(Math.max(0, balance - total));
    $("redeem-total").classList.toggle("text-danger", total > balance);
    return total;
  }
  function changed() {
    attemptKey = null;  // a different sale is a new attempt
    showError("");
    recompute();
  }
  function showError(text) {
    var box = $("redeem-error");
    box.textContent = text || ""; box.hidden = !text;
  }

  // --- confirming ----------------------------------------------------------------------
  function post(body) {
    return fetch(urls.sale, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(
        function (j) { return { status: r.status, json: j && typeof j.ok === "boolean" ? j : null }; },
        function () { return { status: r.status, json: null }; }
      );
    });
  }
  function sendWithRetry(body) {
    var attempt = 0;
    function go() {
      return post(body).then(function (res) {
        if ((res.json !== null && res.status < 500) || attempt >= RETRY_DELAYS.length - 1) { return res; }
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
  function confirmSale() {
    if (sending || !voucher || !voucher.usable) { return; }
    var rows = lines();
    if (!rows.length) { showError(T.needItems); return; }
    if (rows.some(function (l) { return !l.item; })) { showError(T.needItem); return; }
    if (rows.some(function (l) { return l.q === null || l.p === null || l.q <= 0 || l.p <= 0; })) { showError(T.badNumber); return; }
    var total = recompute();
    if (total > cents(voucher.balance)) { showError(T.overBalance); return; }
    var pin = $("redeem-pin").value.trim();
    if (voucher.require_pin && !/^\d{4}$/.test(pin)) { showError(T.needPin); $("redeem-pin").focus(); return; }
    showError("");
    if (!attemptKey) { attemptKey = uuid(); }
    var body = {
      code: voucher.code,
      key: attemptKey,
      pin: pin,
      items: rows.map(function (l) { return { item: l.item, quantity: plain(l.q), unit_price: plain(l.p) }; })
    };
    var button = document.querySelector('[data-testid="redeem-confirm"]');
    sending = true;
    button.disabled = true;
    button.textContent = T.sending;
    function release() { sending = false; button.disabled = false; button.textContent = T.confirm; }
    sendWithRetry(body).then(function (res) {
      release();
      if (res.json && res.json.ok) { done(res.json); return; }
      if (!res.json) { showError(T.unexpected); return; }
      if (res.json.code === "voucher_spent" || res.json.code === "voucher_cancelled" ||
          res.json.code === "voucher_expired" || res.json.code === "voucher_not_found" ||
          res.json.code === "wrong_vendor") {
        refused(res.json.message);
        return;
      }
      attemptKey = null;  // refused: nothing was recorded, the next try is a new attempt
      showError(res.json.message);
    }, function () { release(); showError(T.offline); });
  }

  // A line of the result card: a label, then (optionally) an amount kept left to right.
  function para(text, amount, className, testid) {
    var p = document.createElement("p");
    p.className = className || "mb-1";
    if (testid) { p.setAttribute("data-testid", testid); }
    p.appendChild(document.createTextNode(text));
    if (amount) {
      p.appendChild(document.createTextNode(" "));
      var span = document.createElement("span");
      span.dir = "ltr";
      span.className = "bidi-isolate";
      span.textContent = amount;
      p.appendChild(span);
    }
    return p;
  }
  function card(kind, title, paragraphs, testid) {
    var icons = { success: "bi-check-circle-fill", danger: "bi-x-octagon-fill" };
    var box = document.createElement("div");
    box.className = "card border-2 border-" + kind + " mb-3 text-center";
    box.setAttribute("data-testid", testid);
    box.innerHTML = '<div class="card-body py-4"><i class="bi ' + icons[kind] + " text-" + kind +
      ' display-3" aria-hidden="true"></i><div class="mt-2 mb-3"></div>' +
      '<div class="d-grid"><button type="button" class="btn btn-primary btn-lg py-3 redeem-big" data-action="restart" data-testid="redeem-next"></button></div></div>';
    var body = box.querySelector("div.mb-3");
    body.appendChild(title);
    paragraphs.forEach(function (p) { body.appendChild(p); });
    box.querySelector("[data-action=restart]").textContent = T.next;
    return box;
  }
  function done(answer) {
    voucher = null; attemptKey = null;
    show($("redeem-sale"), false);
    var panel = $("redeem-done");
    panel.innerHTML = "";
    panel.appendChild(card("success", para(T.paid, answer.amount_text, "fs-4 fw-bold mb-1"), [
      para(T.newBalance + ":", answer.balance_text, "fs-5 mb-1", "redeem-new-balance"),
      para(answer.message, "", "small text-body-secondary mb-0", "redeem-done-message")
    ], "redeem-done"));
    if (navigator.vibrate) { navigator.vibrate(80); }
    window.scrollTo(0, 0);
  }
  function refused(message) {
    voucher = null; attemptKey = null;
    show($("redeem-sale"), false);
    var panel = $("redeem-done");
    panel.innerHTML = "";
    panel.appendChild(card("danger", para(T.refused, "", "fs-4 fw-bold mb-1"),
      [para(message, "", "mb-1", "redeem-refused-message")], "redeem-refused"));
  }
  function restart() {
    voucher = null; attemptKey = null;
    $("redeem-done").innerHTML = "";
    show($("redeem-sale"), false);
    show($("redeem-find"), true);
    var input = $("redeem-code");
    input.value = ""; note(""); input.focus();
    window.scrollTo(0, 0);
  }

  // --- camera --------------------------------------------------------------------------
  var scanner = window.SanadQrScanner({
    video: $("scanner-video"), canvas: $("scanner-canvas"), jsqrUrl: urls.jsqr,
    onCode: function (text) { scanned(text); },
  });
  function scannerStatus(text) { $("scanner-status").textContent = text; }
  function openScanner() {
    note("");
    if (!scanner.available) { note(T.noCamera); return; }
    $("scanner").hidden = false;
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
    $("redeem-code").value = normalise(text);
    lookup(text);
  }

  // --- wiring --------------------------------------------------------------------------
  $("redeem-code-form").addEventListener("submit", function (e) { e.preventDefault(); lookup($("redeem-code").value); });
  $("redeem-form").addEventListener("submit", function (e) { e.preventDefault(); confirmSale(); });
  $("redeem-pin").addEventListener("input", function () { showError(""); });
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-action]");
    if (!el || !root.contains(el)) { return; }
    var action = el.getAttribute("data-action");
    if (action === "scan") { openScanner(); }
    else if (action === "close-scanner") { closeScanner(); }
    else if (action === "add-line") { addLine().querySelector("select").focus(); }
    else if (action === "remove-line") { el.closest(".redeem-line").remove(); changed(); }
    else if (action === "restart") { restart(); }
  });

  // For tests and hand-held scanners that type into another field.
  window.sanadRedeem = { scanned: scanned, lookup: lookup };
})();

// The business plan's table of what the grant buys: each line's amount (quantity ×
// unit cost) and the plan's total are shown as they are typed, and "Add a line" adds a
// row to the Django formset. Without JavaScript the form still works: it has empty
// rows, and the server computes the amounts and the total when it saves.
(function () {
  "use strict";
  var table = document.getElementById("plan-lines");
  if (!table) { return; }
  var body = table.querySelector("tbody");
  var totalForms = document.getElementById("id_lines-TOTAL_FORMS");
  var maxForms = document.getElementById("id_lines-MAX_NUM_FORMS");
  var totalCell = document.getElementById("plan-total");
  var addButton = document.getElementById("plan-add-line");
  var range = document.getElementById("plan-range");

  function number(value) {
    var text = String(value || "").replace(/,/g, "").trim();
    if (!text || !/^\d+(\.\d+)?$/.test(text)) { return null; }
    return parseFloat(text);
  }

  function format(value) {
    return value.toLocaleString(document.documentElement.lang || undefined, {
      minimumFractionDigits: 0,
      maximumFractionDigits: 2
    });
  }

  function recompute() {
    var total = 0;
    body.querySelectorAll("tr[data-line-row]").forEach(function (row) {
      var qty = number(row.querySelector('[data-line="quantity"]').value);
      var cost = number(row.querySelector('[data-line="unit_cost"]').value);
      var cell = row.querySelector("[data-line-amount]");
      if (qty !== null && cost !== null) {
        var amount = Math.round(qty * cost * 100) / 100;
        total += amount;
        cell.textContent = format(amount);
      } else {
        cell.textContent = "";
      }
    });
    if (totalCell) { totalCell.textContent = format(Math.round(total * 100) / 100); }
    if (range) {
      var low = number(range.dataset.min);
      var high = number(range.dataset.max);
      var outside = total > 0 && ((low !== null && total < low) || (high !== null && total > high));
      range.classList.toggle("text-danger", outside);
      range.classList.toggle("fw-semibold", outside);
    }
  }

  function addLine() {
    var count = parseInt(totalForms.value, 10);
    var max = maxForms ? parseInt(maxForms.value, 10) : 1000;
    if (count >= max) { return; }
    var rows = body.querySelectorAll("tr[data-line-row]");
    var template = rows[rows.length - 1];
    var row = template.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      ["name", "id"].forEach(function (attr) {
        var value = input.getAttribute(attr);
        if (value) { input.setAttribute(attr, value.replace(/lines-\d+-/, "lines-" + count + "-")); }
      });
      input.value = "";
    });
    row.querySelectorAll("label").forEach(function (label) {
      var target = label.getAttribute("for");
      if (target) { label.setAttribute("for", target.replace(/lines-\d+-/, "lines-" + count + "-")); }
    });
    row.querySelector("[data-line-amount]").textContent = "";
    body.appendChild(row);
    totalForms.value = String(count + 1);
    var first = row.querySelector('[data-line="item"]');
    if (first) { first.focus(); }
  }

  table.addEventListener("input", recompute);
  if (addButton) {
    addButton.hidden = false;
    addButton.addEventListener("click", addLine);
  }
  recompute();
})();

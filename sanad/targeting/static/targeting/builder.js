// The rule builder: groups ("all"/"any") and conditions chosen from the field registry
// the page embeds (#targeting-fields), written as JSON into a hidden input for the
// server to check. With data-mode="criteria" it edits a scoring model's criteria
// (label, one condition, points) instead. Text people type only ever becomes element
// values and text nodes, never HTML.
(function () {
  "use strict";
  var root = document.getElementById("rule-builder");
  if (!root) { return; }
  var fields = JSON.parse(document.getElementById("targeting-fields").textContent);
  var state = JSON.parse(document.getElementById("targeting-tree").textContent);
  var errorsNode = document.getElementById("targeting-errors");
  var errors = errorsNode ? JSON.parse(errorsNode.textContent || "{}") : {};
  var input = document.getElementById(root.getAttribute("data-input"));
  var mode = root.getAttribute("data-mode") || "tree";
  var byCode = {};
  fields.forEach(function (f) { byCode[f.code] = f; });
  var NO_VALUE = { is_true: 1, is_false: 1, exists: 1 };
  var uid = 0;

  function t(key) { return root.getAttribute("data-t-" + key) || key; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "className") { node.className = attrs[k]; }
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function nextId() { uid += 1; return "rb-" + uid; }

  function labelled(text, control, col) {
    var id = control.id || nextId();
    control.id = id;
    return el("div", { className: col || "col-12 col-md" }, [
      el("label", { className: "form-label small mb-1", "for": id, text: text }),
      control
    ]);
  }

  function select(options, value, multiple) {
    var s = el("select", { className: "form-select form-select-sm", multiple: multiple ? "multiple" : null });
    if (multiple) { s.size = Math.min(6, Math.max(3, options.length)); }
    var values = multiple ? (value || []).map(String) : [String(value === undefined || value === null ? "" : value)];
    options.forEach(function (o) {
      if (o.group !== undefined) {
        var g = el("optgroup", { label: o.group });
        o.options.forEach(function (x) { g.appendChild(option(x, values)); });
        s.appendChild(g);
      } else { s.appendChild(option(o, values)); }
    });
    return s;
  }

  function option(o, values) {
    var opt = el("option", { value: o.value, text: o.label });
    if (values.indexOf(String(o.value)) >= 0) { opt.selected = true; }
    return opt;
  }

  function fieldOptions() {
    var groups = [], index = {};
    fields.forEach(function (f) {
      if (!(f.group in index)) { index[f.group] = groups.length; groups.push({ group: f.group, options: [] }); }
      groups[index[f.group]].options.push({ value: f.code, label: f.label });
    });
    return groups;
  }

  // Ledger conditions say what and since when whatever the operator ("has (not) received").
  function takesValue(f, op) { return f.kind.indexOf("ledger") === 0 || !NO_VALUE[op]; }

  function defaultValue(f, op) {
    if (f.kind === "ledger_received") { return { what: "item", code: "", since: "" }; }
    if (f.kind === "ledger_value") { return { amount: "", currency: "IQD", months: 6 }; }
    if (!takesValue(f, op)) { return null; }
    if (op === "in" || op === "not_in") { return []; }
    if (op === "between") { return f.kind === "date" ? ["", ""] : [f.min || 0, f.max || 0]; }
    if (f.kind === "int") { return f.min || 0; }
    if (f.kind === "date") { return ""; }
    return f.choices && f.choices.length ? f.choices[0].value : "";
  }

  function newCondition() {
    var f = fields[0];
    return { field: f.code, operator: f.operators[0].code, value: defaultValue(f, f.operators[0].code) };
  }

  function changed(structural) {
    if (structural) { errors = {}; render(); }
    input.value = JSON.stringify(serialise());
    document.body.dispatchEvent(new CustomEvent("sanad:tree-changed", { bubbles: true }));
  }

  function serialise() {
    function cleanCond(c) {
      var f = byCode[c.field];
      var v = c.value;
      if (f && f.kind === "ledger_received" && v) {
        var out = { what: v.what, code: v.code };
        if (v.since) { out.since = v.since; } else if (v.months !== "" && v.months !== undefined && v.months !== null) { out.months = v.months; }
        v = out;
      }
      return { field: c.field, operator: c.operator, value: v };
    }
    function walk(node) {
      if (node.match) { return { match: node.match, items: node.items.map(walk) }; }
      return cleanCond(node);
    }
    if (mode === "criteria") {
      return state.map(function (c) { return { label: c.label, points: c.points, condition: cleanCond(c.condition) }; });
    }
    return walk(state);
  }

  function errorList(paths) {
    var messages = [];
    paths.forEach(function (p) { (errors[p] || []).forEach(function (m) { messages.push(m); }); });
    if (!messages.length) { return null; }
    return el("div", { className: "invalid-feedback d-block col-12", "data-testid": "row-error" },
      messages.map(function (m) { return el("div", { text: m }); }));
  }

  function num(value) { return value === "" ? "" : Number(value); }

  function valueWidgets(cond, f) {
    var op = cond.operator, out = [];
    if (!takesValue(f, op)) { return out; }
    var v = cond.value;
    var setV = function (x) { cond.value = x; changed(false); };
    if (f.kind === "ledger_received") {
      v = v || {};
      var what = select((f.what || []), v.what || "item");
      what.addEventListener("change", function () { v.what = what.value; v.code = ""; cond.value = v; changed(true); });
      out.push(labelled(t("what"), what, "col-6 col-md-3"));
      var code;
      if (v.what === "kind" || v.what === "programme") {
        var list = v.what === "kind" ? f.kinds : f.programmes;
        if (!v.code && list.length) { v.code = list[0].value; }
        code = select(list, v.code);
        code.addEventListener("change", function () { v.code = code.value; setV(v); });
      } else {
        code = el("input", { className: "form-control form-control-sm", type: "text", dir: "ltr", value: v.code || "", placeholder: v.what === "item" ? "winter_kit" : "" });
        code.addEventListener("input", function () { v.code = code.value; setV(v); });
      }
      out.push(labelled(t("code"), code, "col-6 col-md-3"));
      var since = el("input", { className: "form-control form-control-sm", type: "date", value: v.since || "" });
      since.addEventListener("input", function () { v.since = since.value; if (since.value) { v.months = ""; months.value = ""; } setV(v); });
      out.push(labelled(t("since"), since, "col-6 col-md-3"));
      var months = el("input", { className: "form-control form-control-sm", type: "number", min: 1, max: 120, value: v.months || "" });
      months.addEventListener("input", function () { v.months = num(months.value); if (months.value) { v.since = ""; since.value = ""; } setV(v); });
      out.push(labelled(t("or-months"), months, "col-6 col-md-3"));
      return out;
    }
    if (f.kind === "ledger_value") {
      v = v || {};
      var amount = el("input", { className: "form-control form-control-sm", type: "number", min: 0, step: "any", value: v.amount });
      amount.addEventListener("input", function () { v.amount = amount.value; setV(v); });
      var currency = select([{ value: "IQD", label: "IQD" }, { value: "USD", label: "USD" }], v.currency || "IQD");
      currency.addEventListener("change", function () { v.currency = currency.value; setV(v); });
      var m = el("input", { className: "form-control form-control-sm", type: "number", min: 1, max: 120, value: v.months });
      m.addEventListener("input", function () { v.months = num(m.value); setV(v); });
      out.push(labelled(t("amount"), amount, "col-5 col-md-4"), labelled("", currency, "col-3 col-md-3"), labelled(t("months"), m, "col-4 col-md-3"));
      return out;
    }
    var multiple = op === "in" || op === "not_in";
    if (f.choices && f.choices.length) {
      var s = select(f.choices, v, multiple);
      s.addEventListener("change", function () {
        setV(multiple ? Array.prototype.filter.call(s.options, function (o) { return o.selected; }).map(function (o) { return o.value; }) : s.value);
      });
      var box = labelled(t("value"), s, "col-12 col-md");
      if (multiple) { box.appendChild(el("div", { className: "form-text", text: t("multi") })); }
      out.push(box);
      return out;
    }
    var type = f.kind === "date" ? "date" : "number";
    function one(value, onInput) {
      var i = el("input", { className: "form-control form-control-sm", type: type, value: value === null || value === undefined ? "" : value, min: f.min, max: f.max, dir: "ltr" });
      i.addEventListener("input", function () { onInput(type === "number" ? num(i.value) : i.value); });
      return i;
    }
    if (op === "between") {
      v = Array.isArray(v) ? v : ["", ""];
      out.push(labelled(t("value"), one(v[0], function (x) { v[0] = x; setV(v); }), "col-6 col-md"));
      out.push(labelled(t("and"), one(v[1], function (x) { v[1] = x; setV(v); }), "col-6 col-md"));
      return out;
    }
    var single = labelled(t("value") + (f.unit ? " (" + f.unit + ")" : ""), one(v, setV), "col-12 col-md");
    out.push(single);
    return out;
  }

  function conditionRow(cond, path, onRemove) {
    var f = byCode[cond.field] || fields[0];
    var fieldSelect = select(fieldOptions(), f.code);
    fieldSelect.setAttribute("data-role", "field");
    fieldSelect.addEventListener("change", function () {
      var nf = byCode[fieldSelect.value];
      cond.field = nf.code;
      cond.operator = nf.operators[0].code;
      cond.value = defaultValue(nf, cond.operator);
      changed(true);
    });
    var opSelect = select(f.operators.map(function (o) { return { value: o.code, label: o.label }; }), cond.operator);
    opSelect.setAttribute("data-role", "operator");
    opSelect.addEventListener("change", function () {
      var before = cond.operator;
      cond.operator = opSelect.value;
      var multi = function (o) { return o === "in" || o === "not_in"; };
      var was = takesValue(f, before), now = takesValue(f, cond.operator);
      if (was !== now || multi(before) !== multi(cond.operator) || (before === "between") !== (cond.operator === "between")) {
        cond.value = defaultValue(f, cond.operator);
      }
      changed(true);
    });
    var row = el("div", { className: "row g-2 align-items-end", "data-path": path, "data-testid": "condition" }, [
      labelled(t("field"), fieldSelect, "col-12 col-md-4"),
      labelled(t("operator"), opSelect, "col-12 col-md-3")
    ].concat(valueWidgets(cond, f)));
    if (onRemove) {
      var remove = el("button", { type: "button", className: "btn btn-outline-danger btn-sm", title: t("remove"), "aria-label": t("remove") }, [el("i", { className: "bi bi-x-lg", "aria-hidden": "true" })]);
      remove.addEventListener("click", onRemove);
      row.appendChild(el("div", { className: "col-auto" }, [remove]));
    }
    var err = errorList([path, join(path, "field"), join(path, "operator"), join(path, "value")]);
    if (err) { row.appendChild(err); }
    return row;
  }

  function join(path, key) { return path ? path + "." + key : key; }

  function groupBox(group, path, onRemove) {
    var match = select([{ value: "all", label: t("all") }, { value: "any", label: t("any") }], group.match);
    match.className = "form-select form-select-sm w-auto";
    match.setAttribute("data-role", "match");
    match.setAttribute("aria-label", t("all") + " / " + t("any"));
    match.addEventListener("change", function () { group.match = match.value; changed(false); });
    var addCond = el("button", { type: "button", className: "btn btn-outline-primary btn-sm", "data-role": "add-condition" }, [el("i", { className: "bi bi-plus-lg", "aria-hidden": "true" }), document.createTextNode(" " + t("add-condition"))]);
    addCond.addEventListener("click", function () { group.items.push(newCondition()); changed(true); });
    var addGroup = el("button", { type: "button", className: "btn btn-outline-secondary btn-sm", "data-role": "add-group" }, [el("i", { className: "bi bi-diagram-2", "aria-hidden": "true" }), document.createTextNode(" " + t("add-group"))]);
    addGroup.addEventListener("click", function () { group.items.push({ match: group.match === "all" ? "any" : "all", items: [newCondition()] }); changed(true); });
    var head = el("div", { className: "d-flex flex-wrap align-items-center gap-2 mb-2" }, [match, addCond, addGroup]);
    if (onRemove) {
      var remove = el("button", { type: "button", className: "btn btn-outline-danger btn-sm ms-auto", text: t("remove") });
      remove.addEventListener("click", onRemove);
      head.appendChild(remove);
    }
    var body = el("div", { className: "d-flex flex-column gap-2" });
    if (!group.items.length) { body.appendChild(el("p", { className: "small text-body-secondary mb-0", text: t("empty") })); }
    group.items.forEach(function (item, i) {
      var childPath = join(path, "items." + i);
      var removeChild = function () { group.items.splice(i, 1); changed(true); };
      if (item.match) { body.appendChild(groupBox(item, childPath, removeChild)); }
      else { body.appendChild(el("div", { className: "border rounded p-2 bg-body" }, [conditionRow(item, childPath, removeChild)])); }
    });
    var box = el("div", { className: "border-start border-3 border-primary-subtle ps-2 py-1", "data-testid": "group", "data-path": path }, [head, body]);
    var err = errorList([path, join(path, "match"), join(path, "items")]);
    if (err) { box.appendChild(err); }
    return box;
  }

  function criteriaBox() {
    var box = el("div", { className: "d-flex flex-column gap-2" });
    state.forEach(function (c, i) {
      var path = String(i);
      var label = el("input", { className: "form-control form-control-sm", type: "text", maxlength: 120, value: c.label || "" });
      label.addEventListener("input", function () { c.label = label.value; changed(false); });
      var points = el("input", { className: "form-control form-control-sm", type: "number", step: "any", value: c.points === undefined ? "" : c.points, dir: "ltr" });
      points.addEventListener("input", function () { c.points = points.value; changed(false); });
      var remove = el("button", { type: "button", className: "btn btn-outline-danger btn-sm", text: t("remove") });
      remove.addEventListener("click", function () { state.splice(i, 1); changed(true); });
      var top = el("div", { className: "row g-2 align-items-end mb-2" }, [
        labelled(t("label"), label, "col-12 col-md-6"),
        labelled(t("points"), points, "col-6 col-md-3"),
        el("div", { className: "col-auto" }, [remove])
      ]);
      var err = errorList([path, join(path, "label"), join(path, "points")]);
      if (err) { top.appendChild(err); }
      box.appendChild(el("div", { className: "border rounded p-2 bg-body", "data-testid": "criterion" }, [top, conditionRow(c.condition, join(path, "condition"), null)]));
    });
    var add = el("button", { type: "button", className: "btn btn-outline-primary btn-sm align-self-start", "data-role": "add-criterion" }, [el("i", { className: "bi bi-plus-lg", "aria-hidden": "true" }), document.createTextNode(" " + t("add-criterion"))]);
    add.addEventListener("click", function () { state.push({ label: "", points: 1, condition: newCondition() }); changed(true); });
    box.appendChild(add);
    return box;
  }

  function render() {
    while (root.firstChild) { root.removeChild(root.firstChild); }
    root.appendChild(mode === "criteria" ? criteriaBox() : groupBox(state, "", null));
  }

  if (mode === "criteria") {
    state = Array.isArray(state) ? state : [];
  } else if (!state || !state.match) {
    state = { match: "all", items: state && state.field ? [state] : [] };
  }
  render();
  input.value = JSON.stringify(serialise());
})();

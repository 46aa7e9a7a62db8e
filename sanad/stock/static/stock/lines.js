// Lines of a stock document (a Django formset): "Add a line" copies the empty row kept in
// a <template>, numbering it after the last one.
(function () {
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-line]");
    if (!add) { return; }
    var prefix = add.getAttribute("data-add-line");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-template");
    var body = document.getElementById(prefix + "-rows");
    if (!total || !template || !body) { return; }
    var n = parseInt(total.value, 10);
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
    total.value = String(n + 1);
    var first = body.lastElementChild && body.lastElementChild.querySelector("select, input");
    if (first) { first.focus(); }
  });
})();

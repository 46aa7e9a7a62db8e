// The attendance form of a training session on a phone: a count of the trainees ticked
// present, and "everyone present" / "clear" buttons (shown only when this script runs;
// the form works without it).
(function () {
  "use strict";
  var form = document.getElementById("attendance");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="present"]'));
  var count = form.querySelector("[data-attendance-count]");
  var tools = form.querySelector("[data-attendance-tools]");

  function update() {
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    if (count) { count.textContent = ticked + " / " + boxes.length; }
  }

  if (tools && boxes.length) {
    tools.hidden = false;
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("[data-attendance]");
      if (!button) { return; }
      var value = button.getAttribute("data-attendance") === "all";
      boxes.forEach(function (b) { b.checked = value; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
})();

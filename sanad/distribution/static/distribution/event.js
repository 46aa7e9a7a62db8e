// Closing an event: show the kits lost (dispatched − distributed − returned) as the
// returned count is typed, and ask for the reason when some are missing.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=close-form]");
  if (!form) { return; }
  var dispatched = parseFloat(form.dataset.dispatched) || 0;
  var distributed = parseFloat(form.dataset.distributed) || 0;
  var returned = form.querySelector("[name=returned]");
  var reason = form.querySelector("[name=reason]");
  var out = document.getElementById("close-lost");
  function update() {
    var lost = Math.round((dispatched - distributed - (parseFloat(returned.value) || 0)) * 100) / 100;
    out.textContent = lost;
    out.classList.toggle("text-danger", lost !== 0);
    reason.required = lost > 0;
  }
  returned.addEventListener("input", update);
  update();
})();

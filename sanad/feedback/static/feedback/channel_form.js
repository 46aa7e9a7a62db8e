// The channel form: show the settings of the kind chosen (RapidPro, HTTP gateway,
// messaging channels in general); the others stay in the page, hidden.
(function () {
  "use strict";
  var form = document.querySelector("[data-channel-form]");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  var messaging = (form.getAttribute("data-messaging-kinds") || "").split(" ");
  function update() {
    var value = kind.value;
    form.querySelectorAll("[data-kind]").forEach(function (input) {
      var want = input.getAttribute("data-kind");
      var show = want === value || (want === "messaging" && messaging.indexOf(value) >= 0);
      var box = input.closest(".channel-field") || input;
      box.classList.toggle("d-none", !show);
    });
    form.querySelectorAll("[data-kind-section]").forEach(function (section) {
      var want = section.getAttribute("data-kind-section");
      var show = want === value || (want === "messaging" && messaging.indexOf(value) >= 0);
      section.classList.toggle("d-none", !show);
    });
  }
  kind.addEventListener("change", update);
  update();
})();

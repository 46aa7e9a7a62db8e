// Small helpers: CSRF token on every htmx request; confirm dialogs on dangerous buttons.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});

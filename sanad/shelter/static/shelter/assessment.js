/* The assessment form: "use my location" fills the coordinates from the phone's GPS
   (typed coordinates work too), "add a line" adds a row to the bill of quantities,
   and chosen photos are previewed, with a warning for a file over 8 MB. */
(function () {
  "use strict";
  var MAX = 8 * 1024 * 1024;

  document.querySelectorAll("[data-geolocate]").forEach(function (button) {
    var status = button.parentNode.querySelector("[data-geolocate-status]");
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById(button.dataset.lat).value = pos.coords.latitude.toFixed(6);
        document.getElementById(button.dataset.lon).value = pos.coords.longitude.toFixed(6);
        if (status) { status.textContent = "± " + Math.round(pos.coords.accuracy) + " m"; }
        button.disabled = false;
      }, function () {
        if (status) { status.textContent = button.dataset.failed || ""; }
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  });

  document.querySelectorAll("[data-boq]").forEach(function (box) {
    var add = box.querySelector("[data-boq-add]");
    var template = box.querySelector("template[data-boq-empty]");
    var rows = box.querySelector("[data-boq-rows]");
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    if (!add || !template || !rows || !total) { return; }
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(n));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      while (holder.firstChild) { rows.appendChild(holder.firstChild); }
      total.value = String(n + 1);
      var select = rows.querySelector("[name='boq-" + n + "-item']");
      if (select) { select.focus(); }
    });
  });

  document.querySelectorAll("input[data-photo-input]").forEach(function (input) {
    input.addEventListener("change", function () {
      var box = document.querySelector('[data-photo-preview="' + input.id + '"]');
      if (!box) { return; }
      box.textContent = "";
      var tooBig = [];
      Array.prototype.forEach.call(input.files || [], function (file) {
        if (file.size > MAX) { tooBig.push(file.name); return; }
        if (!/^image\//.test(file.type)) { return; }
        var img = document.createElement("img");
        img.className = "rounded border";
        img.style.width = "72px";
        img.style.height = "72px";
        img.style.objectFit = "cover";
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.addEventListener("load", function () { URL.revokeObjectURL(img.src); });
        box.appendChild(img);
      });
      if (tooBig.length) {
        var warn = document.createElement("div");
        warn.className = "text-danger small w-100";
        warn.textContent = (input.dataset.tooBig || "Larger than 8 MB:") + " " + tooBig.join(", ");
        box.appendChild(warn);
      }
    });
  });
})();

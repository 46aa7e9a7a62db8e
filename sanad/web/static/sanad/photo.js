/* Photo inputs of the field pages (maintenance tickets, shelter inspections): show what was chosen (small previews) and
   warn at once about a file over 8 MB, before a slow upload from the field. */
(function () {
  "use strict";
  var MAX = 8 * 1024 * 1024;
  function preview(input) {
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
  }
  document.querySelectorAll("input[data-photo-input]").forEach(function (input) {
    input.addEventListener("change", function () { preview(input); });
  });
})();

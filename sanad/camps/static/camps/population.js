/* The population chart of a site (dashboard and population page), from the JSON the
   page embeds (#population-data); the table beside it holds the same numbers. In
   Arabic and Kurdish the time axis reads right to left. */
(function () {
  "use strict";
  var source = document.getElementById("population-data");
  var canvas = document.querySelector("canvas[data-population-chart]");
  if (!source || !canvas || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.labels.length) { canvas.parentNode.hidden = true; return; }
  var rtl = document.documentElement.getAttribute("dir") === "rtl";
  var style = getComputedStyle(document.body);
  var colour = style.getPropertyValue("--bs-primary").trim() || "#0d6efd";
  var second = style.getPropertyValue("--bs-secondary").trim() || "#6c757d";
  window.Chart.defaults.font.family = style.getPropertyValue("font-family");
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.getAttribute("aria-label"), data: data.individuals, borderColor: colour, backgroundColor: colour, tension: 0.2 },
        { label: "", data: data.households, borderColor: second, backgroundColor: second, borderDash: [4, 4], tension: 0.2 }
      ]
    },
    options: {
      maintainAspectRatio: false,
      locale: document.documentElement.lang || "en",
      plugins: { legend: { display: false }, tooltip: { rtl: rtl } },
      scales: {
        x: { reverse: rtl },
        y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { precision: 0 } }
      }
    }
  });
})();

/* The bar charts of an indicator's page (by month, by governorate), drawn from the JSON
   the page embeds (#indicator-data). The tables beside them hold the same numbers, so
   the page reads without JavaScript; in Arabic and Kurdish the charts read right to left.
   Suppressed counts (null) are left out of the bars. */
(function () {
  "use strict";
  var source = document.getElementById("indicator-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.getAttribute("dir") === "rtl";
  var style = getComputedStyle(document.body);
  var colour = style.getPropertyValue("--bs-primary").trim() || "#0d6efd";
  window.Chart.defaults.font.family = style.getPropertyValue("font-family");
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data[canvas.getAttribute("data-chart")];
    if (!series || !series.values.length || series.values.every(function (v) { return !v; })) {
      canvas.parentNode.hidden = true;
      return;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [{ label: data.label, data: series.values, backgroundColor: colour, borderColor: colour }]
      },
      options: {
        maintainAspectRatio: false,
        locale: document.documentElement.lang || "en",
        plugins: { legend: { display: false }, tooltip: { rtl: rtl } },
        scales: {
          x: { reverse: rtl },
          y: { position: rtl ? "right" : "left", beginAtZero: true }
        }
      }
    });
  });
})();

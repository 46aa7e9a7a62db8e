/* The charts of the feedback trends page, drawn from the JSON the page embeds
   (#trends-data). The tables beside them hold the same numbers, so the page is
   readable without JavaScript; in Arabic and Kurdish the charts read right to left. */
(function () {
  "use strict";
  var source = document.getElementById("trends-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.getAttribute("dir") === "rtl";
  var style = getComputedStyle(document.body);
  var colour = style.getPropertyValue("--bs-primary").trim() || "#0d6efd";
  var font = style.getPropertyValue("font-family");
  window.Chart.defaults.font.family = font;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data[canvas.getAttribute("data-chart")];
    if (!series || !series.counts.length) { canvas.parentNode.hidden = true; return; }
    var line = canvas.getAttribute("data-kind") === "line";
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: series.labels,
        datasets: [{ data: series.counts, backgroundColor: colour, borderColor: colour, tension: 0.2 }]
      },
      options: {
        indexAxis: line ? "x" : "y",
        maintainAspectRatio: false,
        locale: document.documentElement.lang || "en",
        plugins: { legend: { display: false }, tooltip: { rtl: rtl } },
        scales: {
          x: { reverse: rtl, beginAtZero: true, ticks: { precision: 0 } },
          y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  });
})();

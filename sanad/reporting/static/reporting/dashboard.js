/* The reporting dashboards (reporting/dashboard.html): the district list that follows
   the governorate chosen, the charts (Chart.js) and the map (Leaflet), all drawn from
   the JSON the page embeds. Every chart and the map have a table with the same numbers,
   so the page reads without JavaScript. In Arabic and Kurdish the charts read right to
   left. Suppressed counts (someone outside the mission) arrive as null: no bar, no
   point, and the tooltip says why. */
(function () {
  "use strict";

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var html = document.documentElement;
  var rtl = html.getAttribute("dir") === "rtl";
  var lang = (html.getAttribute("lang") || "en").split("-")[0];
  // Western digits, like the tables beside the charts.
  var locale = lang + "-u-nu-latn";
  var numberFormat;
  try {
    numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  } catch (e) {
    numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
  }
  function format(value, kind) {
    if (value === null || value === undefined) { return "–"; }
    // "$1,234", as the tables write it, in every language.
    return (kind === "usd" ? "$" : "") + numberFormat.format(value);
  }

  // --- districts follow the governorate ----------------------------------------------------
  (function districts() {
    var governorate = document.getElementById("filter-governorate");
    var district = document.getElementById("filter-district");
    var byGovernorate = json("dashboard-districts");
    if (!governorate || !district || !byGovernorate) { return; }
    governorate.addEventListener("change", function () {
      var list = byGovernorate[governorate.value] || [];
      while (district.firstChild) { district.removeChild(district.firstChild); }
      var first = document.createElement("option");
      first.value = "";
      first.textContent = governorate.value ? district.getAttribute("data-all-label") : district.getAttribute("data-choose-label");
      district.appendChild(first);
      list.forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        district.appendChild(option);
      });
      district.disabled = !governorate.value;
    });
  })();

  // --- charts ---------------------------------------------------------------------------------
  (function charts() {
    var data = json("dashboard-charts");
    var config = json("dashboard-chart-config") || { colours: {} };
    if (!data || typeof window.Chart === "undefined") { return; }
    var Chart = window.Chart;
    var style = getComputedStyle(document.body);
    Chart.defaults.font.family = style.getPropertyValue("font-family");
    Chart.defaults.color = style.getPropertyValue("--bs-secondary-color").trim() || "#6c757d";
    var palette = ["#0b5394", "#6fa8dc", "#e69138", "#6aa84f", "#8e7cc3", "#c27ba0"];

    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = data[canvas.getAttribute("data-chart")];
      if (!chart || !chart.labels.length) { return; }
      var horizontal = chart.type === "hbar";
      var line = chart.type === "line";
      if (horizontal) {
        // One bar about 30 px high, whatever the number of groups.
        canvas.parentNode.style.height = Math.max(110, 48 + chart.labels.length * 30) + "px";
      }
      var datasets = chart.series.map(function (s, i) {
        var colour = config.colours[s.key] || palette[i % palette.length];
        return {
          label: s.label,
          data: s.data,
          format: s.format,
          backgroundColor: line ? colour + "33" : colour,
          borderColor: colour,
          borderWidth: line ? 2 : 0,
          borderRadius: line ? 0 : 3,
          fill: line,
          tension: 0.25,
          cubicInterpolationMode: "monotone",
          pointRadius: line ? 3 : 0,
          spanGaps: false,
          maxBarThickness: 34
        };
      });
      var valueAxis = { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return format(v, datasets[0].format); } }, grid: { color: "rgba(0,0,0,.06)" } };
      var labelAxis = { grid: { display: false }, ticks: { autoSkip: !horizontal } };
      var scales;
      if (horizontal) {
        // Bars grow from the side the line starts on; labels sit on that side.
        scales = {
          x: Object.assign({ reverse: rtl }, valueAxis),
          y: Object.assign({ position: rtl ? "right" : "left" }, labelAxis)
        };
        labelAxis.ticks.callback = function (value) {
          var label = this.getLabelForValue(value);
          return label && label.length > 28 ? label.slice(0, 27) + "…" : label;
        };
      } else {
        scales = {
          x: Object.assign({ reverse: rtl }, labelAxis),
          y: Object.assign({ position: rtl ? "right" : "left" }, valueAxis)
        };
      }
      new Chart(canvas, {
        type: line ? "line" : "bar",
        data: { labels: chart.labels, datasets: datasets },
        options: {
          indexAxis: horizontal ? "y" : "x",
          maintainAspectRatio: false,
          responsive: true,
          locale: locale,
          animation: { duration: 300 },
          interaction: { mode: "index", intersect: false },
          // Room for the first and last month's label, turned to fit.
          // (turned labels lean left: right to left, the last month's needs the most).
          layout: { padding: { left: horizontal ? 0 : (rtl ? 44 : 8), right: horizontal ? 0 : 8 } },
          plugins: {
            legend: {
              display: datasets.length > 1,
              position: "bottom",
              rtl: rtl,
              textDirection: rtl ? "rtl" : "ltr",
              labels: { boxWidth: 12, usePointStyle: true }
            },
            tooltip: {
              rtl: rtl,
              textDirection: rtl ? "rtl" : "ltr",
              callbacks: {
                label: function (ctx) {
                  var raw = ctx.raw;
                  var text = raw === null || raw === undefined ? (config.suppressed || "–") : format(raw, ctx.dataset.format);
                  return " " + ctx.dataset.label + ": " + text;
                }
              }
            }
          },
          scales: scales
        }
      });
    });
  })();

  // --- map ------------------------------------------------------------------------------------
  (function map() {
    var el = document.getElementById("dashboard-map");
    var points = json("dashboard-map-points");
    var config = json("dashboard-map-config") || { tiles: "", labels: {} };
    var select = document.getElementById("map-figure");
    if (!el || !points || typeof window.L === "undefined") { return; }
    var L = window.L;
    var labels = config.labels || {};
    var colours = { area: "#0b5394", site: "#e69138" };
    var map = L.map(el, { zoomControl: true, attributionControl: !!config.tiles, scrollWheelZoom: false });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 18 }).addTo(map);
    } else {
      el.classList.add("dash-map-blank");
    }
    var layer = L.layerGroup().addTo(map);
    // The legend sits under the map (not on it), where it covers nothing on a phone.
    var legendEl = document.getElementById("dashboard-map-legend");

    function escape(value) {
      var span = document.createElement("span");
      span.textContent = value === null || value === undefined ? "—" : String(value);
      return span.innerHTML;
    }
    function maxOf(list, figure) {
      return list.reduce(function (m, p) { return Math.max(m, p.values[figure] || 0); }, 0);
    }
    function radius(value, max, smallest, largest) {
      if (!value || !max) { return smallest; }
      return smallest + (largest - smallest) * Math.sqrt(value / max);
    }
    function draw(figure) {
      layer.clearLayers();
      var kind = figure === "value_usd" ? "usd" : "count";
      var maxArea = maxOf(points.units, figure);
      var maxSite = maxOf(points.places, figure);
      function add(p, colour, smallest, largest, max) {
        var value = p.values[figure];
        var circle = L.circleMarker([p.lat, p.lon], {
          radius: radius(value, max, smallest, largest),
          color: colour, weight: 1.5, fillColor: colour, fillOpacity: value === null ? 0.15 : 0.45
        }).addTo(layer);
        var body = "<strong>" + escape(p.name) + "</strong>" + (p.code ? " <span dir=\"ltr\">" + escape(p.code) + "</span>" : "") +
          "<br><span class=\"text-body-secondary\">" + escape(p.kind) + "</span>" +
          "<br>" + escape(labels.people) + ": <b>" + escape(p.texts.people) + "</b>" +
          "<br>" + escape(labels.households) + ": " + escape(p.texts.households) +
          "<br>" + escape(labels.value_usd) + ": " + escape(p.texts.value_usd);
        circle.bindTooltip(escape(p.name) + ": " + escape(p.texts[figure]), { direction: "top" });
        circle.bindPopup(body);
        return circle;
      }
      points.units.forEach(function (p) {
        var circle = add(p, colours.area, 8, 38, maxArea);
        // Without a tile server the map has no background: name the areas.
        if (!config.tiles) {
          circle.unbindTooltip();
          circle.bindTooltip(escape(p.name), { permanent: true, direction: "center", className: "dash-area-label" });
        }
      });
      points.places.forEach(function (p) { add(p, colours.site, 5, 20, maxSite); });
      if (legendEl) {
        var figureLabel = labels[figure] || figure;
        legendEl.innerHTML =
          "<span class=\"fw-semibold\">" + escape(labels.size) + ": " + escape(figureLabel) + "</span>" +
          "<span><span class=\"dash-dot dash-dot-area\"></span>" + escape(labels.area) +
          (maxArea ? " <span class=\"text-body-secondary\">(" + escape(labels.largest) + " <span class=\"bidi-isolate\">" + escape(format(maxArea, kind)) + "</span>)</span>" : "") + "</span>" +
          (points.places.length ? "<span><span class=\"dash-dot dash-dot-site\"></span>" + escape(labels.site) +
          (maxSite ? " <span class=\"text-body-secondary\">(" + escape(labels.largest) + " <span class=\"bidi-isolate\">" + escape(format(maxSite, kind)) + "</span>)</span>" : "") + "</span>" : "");
        legendEl.hidden = false;
      }
    }
    var bounds = [];
    points.units.concat(points.places).forEach(function (p) { bounds.push([p.lat, p.lon]); });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [40, 40], maxZoom: 10 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 9);
    } else {
      map.setView([35.0, 43.7], 6);  // Iraq
    }
    draw(select ? select.value : "people");
    if (select) {
      select.addEventListener("change", function () { draw(select.value); });
    }
  })();
})();

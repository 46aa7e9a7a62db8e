/* The map of sites (camps/sites/map.html): one circle per site from the JSON the page
   embeds (#site-map-points), sized by population and coloured by gaps and hazards,
   each linking to its site. Without a tile server (SANAD_MAP_TILES_URL empty, or
   offline) the circles are drawn on a blank background, fitted to the sites; the
   table under the map holds the same sites, so the page reads without JavaScript. */
(function () {
  "use strict";
  var el = document.getElementById("site-map");
  var source = document.getElementById("site-map-points");
  var configEl = document.getElementById("site-map-config");
  if (!el || !source || typeof window.L === "undefined") { return; }
  var points = JSON.parse(source.textContent);
  var config = configEl ? JSON.parse(configEl.textContent) : { tiles: "", labels: {} };
  var labels = config.labels || {};
  var colours = { red: "#dc3545", amber: "#fd7e14", green: "#198754", grey: "#6c757d" };
  var map = window.L.map(el, { zoomControl: true, attributionControl: !!config.tiles });
  if (config.tiles) {
    window.L.tileLayer(config.tiles, { maxZoom: 18 }).addTo(map);
  } else {
    el.classList.add("bg-body-tertiary");
  }
  function radius(population) {
    // Area proportional to population: 6 px for an empty site, about 30 px for 20,000.
    return 6 + Math.sqrt(Math.max(population || 0, 0)) / 5.8;
  }
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value === null || value === undefined ? "—" : String(value);
    return span.innerHTML;
  }
  var bounds = [];
  points.forEach(function (p) {
    var colour = colours[p.colour] || colours.grey;
    var circle = window.L.circleMarker([p.lat, p.lon], {
      radius: radius(p.population), color: colour, fillColor: colour, fillOpacity: 0.55, weight: 2
    }).addTo(map);
    circle.bindTooltip(text(p.name));
    circle.bindPopup(
      "<strong>" + text(p.name) + "</strong> <span dir=\"ltr\">" + text(p.code) + "</span><br>" +
      text(p.kind) + "<br>" +
      text(labels.population) + ": " + text(p.population) + "<br>" +
      text(labels.hazards) + ": " + text(p.open_hazards) + "<br>" +
      text(labels.gaps) + ": " + text(p.gaps) + "<br>" +
      text(labels.tickets) + ": " + text(p.open_tickets) + "<br>" +
      "<a href=\"" + encodeURI(p.url) + "\">" + text(labels.open) + "</a>"
    );
    circle.on("dblclick", function () { window.location.href = p.url; });
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  } else {
    map.setView([36.2, 43.9], 6);  // northern Iraq
  }
})();

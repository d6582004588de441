// Progressive enhancement: a Leaflet map of the listed (non-confidential) services.
(function () {
  "use strict";
  var el = document.getElementById("dir-map");
  if (!el || typeof window.L === "undefined" || !window.fetch) { return; }
  fetch(el.getAttribute("data-points"), { credentials: "omit" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      if (!data.points || !data.points.length) { return; }
      el.hidden = false;
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", el.getAttribute("data-label"));
      var map = window.L.map(el);
      var tiles = el.getAttribute("data-tiles");
      if (tiles) { window.L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
      var bounds = [];
      data.points.forEach(function (p) {
        // Vector markers: no image to fetch, visible with or without tiles.
        var m = window.L.circleMarker([p.lat, p.lon], { radius: 9, color: "#0b4f8a", weight: 3, fillOpacity: 0.6 }).addTo(map);
        var a = document.createElement("a");
        a.href = "services/" + p.id + "/";
        a.textContent = p.name;
        m.bindPopup(a);
        bounds.push([p.lat, p.lon]);
      });
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
    })
    .catch(function () { el.hidden = true; });
}());

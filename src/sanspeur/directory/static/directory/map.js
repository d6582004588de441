// Progressive enhancement: a Leaflet map of the listed (non-confidential) services, on which the
// person may click a point to sort the results by distance from it. Never the device's location.
(function () {
  "use strict";
  var el = document.getElementById("dir-map");
  if (!el || typeof window.L === "undefined" || !window.fetch) { return; }

  function parsePoint(text) {
    var parts = (text || "").split(",");
    if (parts.length !== 2) { return null; }
    var lat = parseFloat(parts[0]), lon = parseFloat(parts[1]);
    return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
  }

  function choosePoint(map, latlng) {
    var input = document.getElementById("id_near");
    if (!input || !input.form) { return; }
    var value = latlng.lat.toFixed(3) + "," + latlng.lng.toFixed(3);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "dir-choose-point";
    button.textContent = el.getAttribute("data-choose-label");
    button.addEventListener("click", function () {
      input.value = value;
      // The point replaces a postal code or borough chosen before: one origin at a time.
      ["id_near_fsa", "id_near_borough"].forEach(function (id) {
        var field = document.getElementById(id);
        if (field) { field.value = ""; }
      });
      input.form.submit();
    });
    window.L.popup().setLatLng(latlng).setContent(button).openOn(map);
    button.focus();
  }

  fetch(el.getAttribute("data-points"), { credentials: "omit" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      if (!data.points || !data.points.length) { return; }
      el.hidden = false;
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", el.getAttribute("data-label"));
      var hint = document.querySelector(".dir-map-hint");
      if (hint) { hint.hidden = false; }
      var map = window.L.map(el);
      var tiles = el.getAttribute("data-tiles");
      if (tiles) { window.L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
      var bounds = [];
      data.points.forEach(function (p) {
        // Vector markers: no image to fetch, visible with or without tiles.
        var m = window.L.circleMarker([p.lat, p.lon], { radius: 9, color: "#0b4f8a", weight: 3, fillOpacity: 0.6 }).addTo(map);
        var a = document.createElement("a");
        a.href = "services/" + p.id + "/" + window.location.search; // "back to the search" keeps it
        a.textContent = p.name;
        m.bindPopup(a);
        bounds.push([p.lat, p.lon]);
      });
      var chosen = parsePoint(el.getAttribute("data-point"));
      if (chosen) {
        window.L.circleMarker(chosen, { radius: 7, color: "#b3261e", weight: 3, fillOpacity: 0.9 })
          .addTo(map).bindTooltip(el.getAttribute("data-point-label"));
        bounds.push(chosen);
      }
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
      map.on("click", function (event) { choosePoint(map, event.latlng); });
    })
    .catch(function () { el.hidden = true; });
}());

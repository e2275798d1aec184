// The public map: loads published cases of the visible area and lists them beside
// the map as links, so that the keyboard and screen readers get the same content.
(function () {
  "use strict";
  var element = document.getElementById("publication-map");
  if (!element || !window.L) { return; }
  var list = document.querySelector("[data-map-list]");
  var map = L.map(element).setView([65.8481, 24.1466], 13);
  L.tileLayer(element.dataset.tileUrl, { attribution: "&copy; OpenStreetMap" }).addTo(map);
  var cluster = L.markerClusterGroup();
  map.addLayer(cluster);

  function renderList(features) {
    list.textContent = "";
    // The page's own list (the newest few, for browsers without JavaScript) is replaced
    // by the records in the map's area: its note on the newest no longer applies.
    var newestNote = document.querySelector("[data-map-newest-note]");
    if (newestNote) { newestNote.hidden = true; }
    if (!features.length) {
      var empty = document.createElement("li");
      empty.textContent = element.dataset.emptyText;
      list.appendChild(empty);
    }
    features.forEach(function (feature) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = feature.properties.url;
      link.textContent = feature.properties.title;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + feature.properties.status + ")"));
      list.appendChild(item);
    });
  }

  function load() {
    var b = map.getBounds();
    var bbox = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (v) {
      return v.toFixed(5);
    }).join(",");
    // The address may carry the list's filters already.
    var url = new URL(element.dataset.geojsonUrl, window.location.href);
    url.searchParams.set("bbox", bbox);
    fetch(url.toString())
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (data) {
        // A popup opened meanwhile (another pin, or one tapped right after a drag):
        // replacing the pins would close it; the area is loaded once it closes.
        if (holding) { moved = true; return; }
        cluster.clearLayers();
        data.features.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = feature.properties.title;
          cluster.addLayer(L.marker([c[1], c[0]]).bindPopup(link));
        });
        renderList(data.features);
      });
  }
  // A popup pans the map to fit when it opens near an edge: loading the area again
  // then would replace the pins and close the popup the resident just opened. While a
  // popup is open the area is loaded once it closes.
  var holding = false, moved = false;
  map.on("autopanstart popupopen", function () { holding = true; });
  map.on("popupclose", function () {
    holding = false;
    if (moved) { moved = false; load(); }
  });
  map.on("moveend", function () {
    if (holding) { moved = true; } else { load(); }
  });
  load();
}());

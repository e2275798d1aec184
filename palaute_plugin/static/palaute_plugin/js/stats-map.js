// The statistics report's map: a circle per busy place, its size and label by the
// number of cases. The table under the map has the same places for keyboards and
// screen readers.
(function () {
  "use strict";
  var element = document.getElementById("palaute-stats-map");
  var data = document.getElementById("palaute-stats-places");
  if (!element || !data || !window.L) { return; }
  var places = JSON.parse(data.textContent);
  var map = L.map(element);
  L.tileLayer(element.dataset.tileUrl, { attribution: "&copy; OpenStreetMap" }).addTo(map);
  var largest = Math.max.apply(null, places.map(function (place) { return place.count; }));
  var bounds = [];
  places.forEach(function (place) {
    var point = [place.lat, place.lon];
    bounds.push(point);
    // Area, not radius, grows with the count: radius by the square root.
    var radius = 6 + 18 * Math.sqrt(place.count / largest);
    L.circleMarker(point, { radius: radius, color: "#1f5f99", weight: 2, fillOpacity: 0.45 })
      .bindTooltip(place.count + " " + element.dataset.casesLabel)
      .addTo(map);
  });
  map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
}());

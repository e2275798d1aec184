// Leaflet's own words in the page's language: the zoom buttons' titles and labels, the
// attribution's link title, OpenStreetMap's attribution and a marker's alt text, for every map and marker made after
// this file. The words are JSON in data-palaute-map-words, on the map's element or an
// ancestor, else anywhere on the page (widgets.LEAFLET_WORDS).
(function () {
  "use strict";
  if (!window.L) { return; }
  function wordsFor(element) {
    var source = (element && element.closest("[data-palaute-map-words]")) ||
      document.querySelector("[data-palaute-map-words]");
    try {
      return source ? JSON.parse(source.getAttribute("data-palaute-map-words")) : {};
    } catch (error) {
      return {};
    }
  }
  L.Map.addInitHook(function () {
    var container = this.getContainer();
    var words = wordsFor(container);
    [["leaflet-control-zoom-in", words.zoomIn], ["leaflet-control-zoom-out", words.zoomOut]]
      .forEach(function (pair) {
        var button = container.querySelector("." + pair[0]);
        if (button && pair[1]) {
          button.title = pair[1];
          button.setAttribute("aria-label", pair[1]);
        }
      });
    if (this.attributionControl && words.leaflet) {
      var link = document.createElement("a");
      link.href = "https://leafletjs.com";
      link.title = words.leaflet;
      link.textContent = "Leaflet";
      this.attributionControl.setPrefix(link.outerHTML);
    }
  });
  // OpenStreetMap's default attribution (the settings' and the public maps'), in the
  // page's language and linked to its copyright page; any other attribution is kept.
  var OSM_DEFAULTS = ["&copy; OpenStreetMap contributors", "&copy; OpenStreetMap"];
  L.TileLayer.addInitHook(function () {
    var words = wordsFor(null);
    if (words.osm && OSM_DEFAULTS.indexOf(this.options.attribution) !== -1) {
      var link = document.createElement("a");
      link.href = "https://www.openstreetmap.org/copyright";
      link.textContent = words.osm;
      this.options.attribution = "&copy; " + link.outerHTML;
    }
  });
  L.Marker.addInitHook(function () {
    var words = wordsFor(null);
    if (words.marker && this.options.alt === L.Marker.prototype.options.alt) {
      this.options.alt = words.marker;
    }
  });
}());

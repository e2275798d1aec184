/* Boots wagtailgeowidget's LeafletField on the public page (no Wagtail admin JS here). */
(function () {
  "use strict";
  function boot(input) {
    var options = JSON.parse(input.getAttribute("data-leaflet-field-options-value"));
    var wrapper = input.closest("[data-map]");
    if (wrapper) { wrapper.hidden = false; }
    options.id = input.id;
    options.addressSelector = options.addressField ? "#id_" + options.addressField : null;
    options.zoomSelector = null;
    var hadValue = !!input.value;
    var field = new LeafletField(options);
    // An empty or half-typed coordinate box is "no place yet", not a crash.
    field.parseStrToLatLng = function (value) {
      if (String(value || "").split(",").length !== 2) { return null; }
      return LeafletField.prototype.parseStrToLatLng.call(field, value);
    };
    // An empty coordinate box is "no place yet", not an error.
    field.updateMapFromCoords = function (point) {
      if (point) { LeafletField.prototype.updateMapFromCoords.call(field, point); }
    };
    // Six decimals (10 cm), not the 15 of a tap, which ran past the box's edge; the place
    // sent is the one the box shows (Back from the receipt restores it from the box, and
    // the same place again is the same feedback again).
    field.updateLatLng = function (point) {
      field.latLngField.val(point.lat.toFixed(6) + ", " + point.lng.toFixed(6));
    };
    field.writeLocation = function (point) {
      LeafletField.prototype.writeLocation.call(
        field, L.latLng(+point.lat.toFixed(6), +point.lng.toFixed(6)));
    };
    var latLng = document.getElementById(input.id + "_latlng");
    // The coordinate box is the part of the place a keyboard or screen reader user
    // edits (the real input is hidden): give it the map's hint and the place's error.
    var error = document.getElementById(input.id + "_error");
    var describedBy = [wrapper && wrapper.querySelector("#map-hint"), error]
      .filter(Boolean).map(function (el) { return el.id; });
    if (describedBy.length) { latLng.setAttribute("aria-describedby", describedBy.join(" ")); }
    if (error) { latLng.setAttribute("aria-invalid", "true"); }
    // The pin is on the map only once a place is chosen: a faded pin waiting at the
    // centre read as a place already marked (acceptance test, 2026-12-03).
    function tameIcon() {
      // The pin is moved with the map (arrows, then Enter) or the buttons, not tabbed to.
      var icon = field.marker.getElement && field.marker.getElement();
      if (icon) {
        icon.setAttribute("tabindex", "-1");
        icon.removeAttribute("role");
      }
    }
    function showPin() {
      if (!field.map.hasLayer(field.marker)) { field.marker.addTo(field.map); }
      tameIcon();
    }
    function hidePin() { field.marker.remove(); }
    if (!hadValue) {
      // Nothing chosen yet: no pin, the value stays empty; what the resident typed in the
      // box before the form came back with an error stays there.
      latLng.value = latLng.defaultValue;
      hidePin();
    }
    var outside = document.querySelector('.js-outside-area[data-target="' + input.id + '"]');
    var area = outside && outside.getAttribute("data-bounds").split(",").map(Number);
    function checkArea(point) {
      // The server refuses a place outside the area too; saying it at once saves a round.
      if (!area) { return; }
      var out = point.lat < area[0] || point.lng < area[1] || point.lat > area[2] ||
        point.lng > area[3];
      outside.hidden = !out;
      if (out) { latLng.setAttribute("aria-invalid", "true"); }
      else if (!error) { latLng.removeAttribute("aria-invalid"); }
    }
    function noPlace() {
      // The box no longer holds a place: nothing is outside the area either.
      input.value = "";
      if (area) { outside.hidden = true; }
      if (!error) { latLng.removeAttribute("aria-invalid"); }
    }
    function moved(point) {
      // address-search.js names the new place in the address field.
      document.dispatchEvent(new CustomEvent("palaute:pin-moved", { detail: point }));
    }
    function place(point) {
      clearTimeout(typing);  // the place typed a moment ago is not where the pin goes now
      showPin();
      field.setMapPosition(point);
      field.updateLatLng(point);
      field.writeLocation(point);
      checkArea(point);
    }
    field.map.on("click", function (event) { place(event.latlng); moved(event.latlng); });
    // Back from the receipt: the browser brings the coordinate box back (after this
    // ran: it was emptied above), not the hidden input (Chromium restores no hidden
    // field). By the page's load event, a place in the box with none in the input is one.
    function restore() {
      var point = !input.value && field.parseStrToLatLng(latLng.value);
      if (point) { place(point); }
    }
    if (document.readyState === "complete") { restore(); }
    else { window.addEventListener("load", restore); }
    field.marker.on("dragend", function () {
      showPin();
      checkArea(field.marker.getLatLng());
      moved(field.marker.getLatLng());
    });
    var words = options.palaute || {};
    function fill(text, point) {
      return (text || "").replace("{lat}", point.lat.toFixed(5))
        .replace("{lon}", point.lng.toFixed(5));
    }
    // (Leaflet's own words, the zoom buttons' and the pin's, come from map-words.js.)
    tameIcon();
    var container = field.map.getContainer();
    container.setAttribute("role", "group");
    if (words.map) { container.setAttribute("aria-label", words.map); }
    var hint = wrapper && wrapper.querySelector("#map-hint");
    if (hint) { container.setAttribute("aria-describedby", hint.id); }
    var status = document.querySelector('.js-my-location-status');
    function placeAtCentre() {
      var point = field.map.getCenter();
      place(point);
      moved(point);
      if (status) { status.textContent = fill(words.atCentre, point); }
    }
    container.addEventListener("keydown", function (event) {
      if (event.target !== container) { return; }  // a zoom button or a link inside
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        placeAtCentre();
      }
    });
    var atCentre = document.querySelector('.js-pin-at-centre[data-target="' + input.id + '"]');
    if (atCentre) { atCentre.addEventListener("click", placeAtCentre); }
    document.addEventListener("palaute:place-chosen", function (event) {
      var point = L.latLng(event.detail.lat, event.detail.lon);
      place(point);
      field.map.setView(point, 17);
    });
    // Typed coordinates place the pin (wagtailgeowidget's handler) as a click does:
    // shown in full, checked against the area, and named in the address field once the
    // resident stops typing.
    var typing = null;
    latLng.addEventListener("input", function () {
      clearTimeout(typing);
      if (!latLng.value.trim()) { noPlace(); return; }
      var point = field.parseStrToLatLng(latLng.value);
      // Half-typed again (shortened): no place until the box reads as one, so that the
      // form is not sent with the place the box held a moment ago.
      if (!point) { noPlace(); return; }
      showPin();
      checkArea(point);
      typing = setTimeout(function () { moved(point); }, 600);
    });
    var clear = wrapper && wrapper.querySelector(".js-clear-location");
    if (clear) {
      clear.addEventListener("click", function () {
        clearTimeout(typing);
        noPlace();
        latLng.value = "";
        hidePin();
      });
    }
    var locate = document.querySelector('.js-my-location[data-target="' + input.id + '"]');
    if (locate && navigator.geolocation) {
      locate.addEventListener("click", function () {
        status.textContent = locate.getAttribute("data-locating") || "…";
        navigator.geolocation.getCurrentPosition(function (position) {
          var point = L.latLng(position.coords.latitude, position.coords.longitude);
          place(point);
          moved(point);
          // One setView: a pan followed by a zoom would leave the pin off-screen.
          field.map.setView(point, 17);
          status.textContent = (locate.getAttribute("data-found") || "")
            .replace("{lat}", point.lat.toFixed(5)).replace("{lon}", point.lng.toFixed(5));
        }, function () {
          status.textContent = locate.getAttribute("data-failed") || "";
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    } else if (locate) {
      locate.hidden = true;
    }
  }
  function start() {
    if (typeof LeafletField === "undefined" || typeof L === "undefined") { return; }
    Array.prototype.forEach.call(
      document.querySelectorAll('input[data-controller="leaflet-field"]'), boot);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

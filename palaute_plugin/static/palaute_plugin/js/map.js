/* Boots wagtailgeowidget's LeafletField on the public page (no Wagtail admin JS here). */
(function () {
  "use strict";
  // Coordinates as residents type them: a decimal point or a Finnish decimal comma, the
  // two numbers apart by a comma, a semicolon or a space ("65.85, 24.15", "65,85 24,15",
  // "65,85; 24,15", "65.85 24.15"). Anything else is no place (null).
  var NUMBER = "([-+]?\\d+(?:[.,]\\d+)?)";
  var TYPED_POINT = new RegExp(
    "^\\s*" + NUMBER + "(\\s*[,;]\\s*|\\s+)" + NUMBER + "\\s*$");
  function readCoordinates(value) {
    var match = TYPED_POINT.exec(String(value || ""));
    if (!match) { return null; }
    // "65,8" is a latitude with a decimal comma on its way, not 65, 8 (a place in Africa
    // flashed on the map as "outside the area" while a Finn typed "65,85 24,15").
    if (match[2] === "," && !/[.,]/.test(match[1] + match[3])) { return null; }
    var lat = parseFloat(match[1].replace(",", "."));
    var lng = parseFloat(match[3].replace(",", "."));
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      return null;
    }
    return L.latLng(lat, lng);
  }
  // What could still become coordinates as the resident goes on typing ("65,8", "65.84, "):
  // said to be no place when the resident leaves the box, not at every key.
  var ON_THE_WAY = /^[\s\d.,;+-]*$/;
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
    field.parseStrToLatLng = readCoordinates;
    // wagtailgeowidget's warning under the box was neither announced nor tied to the box,
    // and went with the place: map.js says it (below) and keeps the pin.
    field.displayWarning = function () {};
    field.clearFieldMessage = function () {};
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
    // Coordinates the page cannot read are said at once under the box (the server's own
    // words for them), announced, and tied to the box like the form's other errors.
    var unreadable = document.createElement("div");
    unreadable.id = latLng.id + "_error";
    unreadable.className = "error-message js-coordinates-error";
    unreadable.setAttribute("aria-live", "polite");
    latLng.parentNode.insertBefore(unreadable, latLng.nextSibling);
    var badCoordinates = (options.palaute || {}).badCoordinates ||
      (options.translations || {}).error_message_invalid_location || "";
    var outsideNow = false;
    function markInvalid() {
      var invalid = !!error || outsideNow || !!unreadable.firstChild;
      if (invalid) { latLng.setAttribute("aria-invalid", "true"); }
      else { latLng.removeAttribute("aria-invalid"); }
      var ids = describedBy.concat(unreadable.firstChild ? [unreadable.id] : []);
      if (ids.length) { latLng.setAttribute("aria-describedby", ids.join(" ")); }
      else { latLng.removeAttribute("aria-describedby"); }
    }
    function sayUnreadable(show) {
      if (show === !!unreadable.firstChild) { return; }
      unreadable.textContent = "";
      if (show) {
        var text = document.createElement("p");
        text.textContent = badCoordinates;
        unreadable.appendChild(text);
      }
      markInvalid();
    }
    markInvalid();
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
      outsideNow = out;
      markInvalid();
    }
    function noPlace() {
      // The box no longer holds a place: nothing is outside the area either.
      input.value = "";
      if (area) { outside.hidden = true; }
      outsideNow = false;
      markInvalid();
    }
    // Whether the pin is where the box's text put it as the resident types (and has not
    // left the box since): such a pin goes when the text no longer reads as a place (the
    // place it held a moment ago, half-typed on the way, is no place to send). A pin put
    // by a tap, a button, an address or coordinates already entered stays.
    var fromBox = false;
    function moved(point) {
      // address-search.js names the new place in the address field.
      document.dispatchEvent(new CustomEvent("palaute:pin-moved", { detail: point }));
    }
    function place(point) {
      clearTimeout(typing);  // the place typed a moment ago is not where the pin goes now
      fromBox = false;
      sayUnreadable(false);  // the box shows the new place
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
      // (wagtailgeowidget's own handler wrote the place and the box.)
      fromBox = false;
      sayUnreadable(false);
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
    function removePlace() {
      clearTimeout(typing);
      fromBox = false;
      noPlace();
      hidePin();
    }
    latLng.addEventListener("input", function () {
      clearTimeout(typing);
      var text = latLng.value.trim();
      // Emptied: no place (and nothing to correct).
      if (!text) { sayUnreadable(false); removePlace(); return; }
      var point = readCoordinates(text);
      if (!point) {
        // Half-typed again (shortened): the place the box held a moment ago goes, so that
        // the form is not sent with it; a pin put otherwise stays where it was.
        if (fromBox) { removePlace(); }
        // Words that can never be coordinates are said at once; digits on the way when
        // the resident leaves the box.
        if (!ON_THE_WAY.test(text)) { sayUnreadable(true); }
        return;
      }
      sayUnreadable(false);
      fromBox = true;
      showPin();
      field.setMapPosition(point);
      field.writeLocation(point);
      checkArea(point);
      typing = setTimeout(function () { moved(point); }, 600);
    });
    latLng.addEventListener("change", function () {
      var text = latLng.value.trim();
      var point = text && readCoordinates(text);
      if (!text) { return; }
      if (!point) { sayUnreadable(true); return; }
      // Entered: the box shows the place as a tap does (six decimals, a decimal point),
      // the form the server and Back read; the pin is now one put, kept if the box is
      // typed over with words.
      fromBox = false;
      field.updateLatLng(point);
    });
    var clear = wrapper && wrapper.querySelector(".js-clear-location");
    if (clear) {
      clear.addEventListener("click", function () {
        removePlace();
        sayUnreadable(false);
        latLng.value = "";
        // address-search.js empties an address the pin (or a chosen suggestion) wrote.
        document.dispatchEvent(new CustomEvent("palaute:pin-removed"));
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

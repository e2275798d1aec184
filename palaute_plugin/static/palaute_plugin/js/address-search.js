/* The address field as an ARIA 1.2 combobox: suggestions from the page's place search
   while the resident types; choosing one moves the map's pin ("palaute:place-chosen"),
   and a pin the resident moves ("palaute:pin-moved") fills in the nearest known address.
   Without this file the field is a plain text field. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;

  function setup(section) {
    var url = section.getAttribute("data-place-search");
    var input = section.querySelector("input[name=address]");
    if (!url || !input) { return; }
    var listId = input.id + "_listbox";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", section.getAttribute("data-list-label") || "");
    list.hidden = true;
    var live = document.createElement("p");
    live.className = "visually-hidden js-place-search-status";
    live.setAttribute("role", "status");
    input.parentNode.insertBefore(list, input.nextSibling);
    input.parentNode.insertBefore(live, list.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    // A browser brings no field with autocomplete="off" back after Back: the address
    // sent is kept for this tab (sessionStorage) and put back when the resident comes
    // Back from the receipt, so that the form can be sent again as it was.
    var kept = "palaute:sent-address:" + location.pathname + "#" + input.id;
    var navigation = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    try {
      if (navigation && navigation.type === "back_forward" && !input.value) {
        input.value = sessionStorage.getItem(kept) || "";
      }
      sessionStorage.removeItem(kept);
      if (input.form) {
        input.form.addEventListener("submit", function () {
          if (input.value) { sessionStorage.setItem(kept, input.value); }
        });
      }
    } catch (error) { /* storage refused (private mode): the field stays empty */ }

    var results = [], active = -1, timer = null, sequence = 0, reverse = -1;
    // The text the map last wrote: a pin may replace it, never what the resident typed.
    var autofilled = null;

    function say(text) { live.textContent = text; }
    function countText(count) {
      if (!count) { return section.getAttribute("data-none") || ""; }
      var template = count === 1 ? section.getAttribute("data-one")
        : section.getAttribute("data-many");
      return (template || "").replace("{count}", count);
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index < 0) { input.removeAttribute("aria-activedescendant"); return; }
      var option = list.children[index];
      input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
    }
    function render(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (place, i) {
        var option = document.createElement("li");
        option.id = listId + "_" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = place.label;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      say(countText(found.length));
    }
    function choose(index) {
      var place = results[index];
      if (!place) { return; }
      input.value = place.label;
      // Chosen from the list, it names where the list put the pin: a pin moved away later
      // replaces it, as it does the map's own (it kept "Hallituskatu" for a pin elsewhere).
      autofilled = place.label;
      close();
      say(section.getAttribute("data-chosen").replace("{place}", place.label));
      document.dispatchEvent(new CustomEvent("palaute:place-chosen", {
        detail: { lat: place.lat, lon: place.lon, label: place.label } }));
    }
    function lookup(params, callback) {
      var mine = ++sequence;
      var request = new XMLHttpRequest();
      request.open("GET", url + "?" + params);
      request.setRequestHeader("Accept", "application/json");
      request.onload = function () {
        if (mine !== sequence) { return; }  // an older answer arriving late
        var data = null;
        try { data = JSON.parse(request.responseText); } catch (error) { data = null; }
        callback(data && Array.isArray(data.results) ? data.results : []);
      };
      request.send();
      return mine;
    }
    input.addEventListener("input", function () {
      autofilled = null;
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) { sequence++; render([]); live.textContent = ""; return; }
      timer = setTimeout(function () {
        lookup("q=" + encodeURIComponent(text), render);
      }, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "Down") {
        event.preventDefault();
        if (!open && results.length) { render(results); }
        highlight(active + 1 >= results.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        event.preventDefault();
        if (!open && results.length) { render(results); }
        highlight(active <= 0 ? results.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        // Enter in the place's field is never sending the form (a phone's "Go" key sent
        // it half-filled): it chooses the highlighted suggestion; with none highlighted
        // it keeps what was typed (a house number the list does not know) and closes.
        event.preventDefault();
        if (open && active >= 0) { choose(active); } else if (open) { close(); }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", close);

    document.addEventListener("palaute:pin-moved", function (event) {
      if (input.value.trim() && input.value !== autofilled) { return; }
      // The address the map wrote named the pin's old place: not where it is now.
      if (autofilled !== null && input.value === autofilled) { input.value = autofilled = ""; }
      var point = event.detail;
      var query = "lat=" + point.lat.toFixed(6) + "&lon=" + point.lng.toFixed(6);
      reverse = lookup(query, function (found) {
        if (!found.length || (input.value.trim() && input.value !== autofilled)) { return; }
        input.value = autofilled = found[0].label;
        say(section.getAttribute("data-filled").replace("{place}", found[0].label));
      });
    });
    // "Remove the pin": the address the pin wrote (or a chosen suggestion, which put the
    // pin) named that place and goes with it; what the resident typed stays.
    document.addEventListener("palaute:pin-removed", function () {
      if (reverse === sequence) { sequence++; }  // its address, still on its way, is not used
      if (autofilled !== null && input.value === autofilled) {
        input.value = autofilled = "";
        close();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-place-search]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

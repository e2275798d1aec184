/* The feedback form's enhancements. The form works without this file. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  var form = document.querySelector("[data-palaute-form]");
  if (!form) { return; }

  var category = form.querySelector("#id_category");
  var body = form.querySelector("[data-form-body]");
  var locationSection = form.querySelector("[data-location-section]");
  var photosSection = form.querySelector("[data-photos-section]");

  function showOnly(selector, id) {
    Array.prototype.forEach.call(form.querySelectorAll(selector), function (box) {
      box.hidden = box.getAttribute(selector.slice(1, -1)) !== id;
    });
  }

  function adaptToCategory() {
    if (!category) { return; }
    var option = category.options[category.selectedIndex];
    var id = category.value;
    var authority = option && option.getAttribute("data-authority");
    showOnly("[data-authority-for]", authority ? id : "");
    showOnly("[data-description-for]", id);
    // A matter of another authority: show its contacts instead of the rest of the form.
    if (body) { body.hidden = !!authority; }
    if (locationSection) {
      var mode = option && option.getAttribute("data-location");
      locationSection.hidden = mode === "hidden";
      // The place is optional, or needed for this topic: never "(optional)" when it is not.
      var legend = locationSection.querySelector("[data-location-legend]");
      if (legend && mode) {
        legend.textContent = legend.getAttribute(mode === "required" ? "data-required" : "data-optional");
      }
    }
    if (photosSection) {
      photosSection.hidden = option && option.getAttribute("data-photos") === "0";
    }
  }
  // Switching the language keeps what was typed: the fields go along to the same form in
  // the other language (this tab only: sessionStorage, used within a minute). Chosen
  // photos cannot go along (no page can set a file input); the form then says so.
  var CARRY_KEY = "palaute:carried-form";
  var CARRIED = ["kind", "category", "message", "address", "location", "location_latlng",
    "contact_name", "contact_email", "contact_phone", "do_not_publish"];
  var TYPED = ["message", "address", "location_latlng", "contact_name", "contact_email",
    "contact_phone"];
  function carriedValues() {
    var values = {};
    CARRIED.forEach(function (name) {
      var radios = form.querySelectorAll('input[type=radio][name="' + name + '"]');
      if (radios.length) {
        var checked = form.querySelector('input[type=radio][name="' + name + '"]:checked');
        if (checked) { values[name] = checked.value; }
        return;
      }
      var field = document.getElementById("id_" + name);
      if (field) { values[name] = field.type === "checkbox" ? field.checked : field.value; }
    });
    return values;
  }
  Array.prototype.forEach.call(document.querySelectorAll(".language-links a[hreflang]"),
    function (link) {
      link.addEventListener("click", function () {
        var values = carriedValues();
        if (!TYPED.some(function (name) { return values[name]; })) { return; }
        var photos = form.querySelector("#id_photos");
        values.photos = photos && photos.files ? photos.files.length : 0;
        try {
          sessionStorage.setItem(CARRY_KEY, JSON.stringify({ at: Date.now(), values: values }));
        } catch (error) { /* storage refused: the other language's form starts empty */ }
      });
    });
  (function restoreCarried() {
    var carried = null;
    try {
      carried = JSON.parse(sessionStorage.getItem(CARRY_KEY) || "null");
      sessionStorage.removeItem(CARRY_KEY);
    } catch (error) { return; }
    var message = document.getElementById("id_message");
    // Only into a fresh form: never over what a post or the browser put back.
    if (!carried || !carried.values || Date.now() - carried.at > 60000 ||
        (message && message.value)) { return; }
    var values = carried.values;
    CARRIED.forEach(function (name) {
      if (!(name in values)) { return; }
      // Radios by comparing values (a value in a selector would break on a quote or a
      // line break, and the message has those).
      var radios = form.querySelectorAll('input[type=radio][name="' + name + '"]');
      if (radios.length) {
        Array.prototype.forEach.call(radios, function (radio) {
          radio.checked = radio.value === String(values[name]);
        });
        return;
      }
      var field = document.getElementById("id_" + name);
      if (!field) { return; }
      if (field.type === "checkbox") { field.checked = !!values[name]; }
      else { field.value = values[name]; }
    });
    // map.js boots after this (DOMContentLoaded) and puts the pin at the place carried.
    var note = form.getAttribute("data-photos-not-carried");
    if (values.photos && note) {
      var notice = document.createElement("p");
      notice.className = "notice";
      notice.setAttribute("role", "status");
      notice.textContent = note;
      form.insertBefore(notice, form.firstChild);
    }
  })();

  if (category) {
    category.addEventListener("change", adaptToCategory);
    adaptToCategory();
  }

  var photoInput = form.querySelector("#id_photos");
  var previews = form.querySelector("[data-photo-previews]");
  if (photoInput && previews && window.URL && URL.createObjectURL) {
    photoInput.addEventListener("change", function () {
      previews.innerHTML = "";
      Array.prototype.forEach.call(photoInput.files, function (file) {
        var item = document.createElement("li");
        if (/^image\/(jpeg|png|webp)$/.test(file.type)) {
          var img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.alt = file.name;
          item.appendChild(img);
        } else {
          item.textContent = file.name;
        }
        previews.appendChild(item);
      });
    });
  }

  // Too many photos is said before anything is uploaded (kept ones count too).
  if (photoInput && photoInput.getAttribute("data-max-photos")) {
    var maxPhotos = Number(photoInput.getAttribute("data-max-photos"));
    var countMessage = document.createElement("p");
    countMessage.className = "error-message";
    countMessage.id = photoInput.id + "_count_error";
    countMessage.setAttribute("role", "alert");
    countMessage.hidden = true;
    photoInput.parentNode.insertBefore(countMessage, photoInput);
    var checkCount = function () {
      var kept = form.querySelectorAll("input[name=remove_photo]:not(:checked)").length;
      var tooMany = photoInput.files.length + kept > maxPhotos;
      countMessage.hidden = !tooMany;
      countMessage.textContent = tooMany ? photoInput.getAttribute("data-too-many") : "";
      photoInput.setCustomValidity(tooMany ? countMessage.textContent : "");
    };
    photoInput.addEventListener("change", checkCount);
    form.addEventListener("change", function (event) {
      if (event.target.name === "remove_photo") { checkCount(); }
    });
  }

  // One case per click: a second click while sending does nothing. Sending photos over a
  // slow connection takes a while: "Sending…" is shown and said next to the button, which
  // looks (and is announced as) busy and unavailable meanwhile. (Busy is the button, not
  // the form: a screen reader may hold back what a busy form's status says.)
  var submitButton = form.querySelector("[data-submit]");
  var sendingStatus = form.querySelector("[data-sending-status]");
  function showSending(on) {
    if (on) { form.setAttribute("data-sending", "1"); }
    else { form.removeAttribute("data-sending"); }
    if (submitButton) {
      if (on) {
        submitButton.setAttribute("aria-busy", "true");
        submitButton.setAttribute("aria-disabled", "true");
      } else {
        submitButton.removeAttribute("aria-busy");
        submitButton.removeAttribute("aria-disabled");
      }
    }
    if (sendingStatus) {
      sendingStatus.textContent = on ? sendingStatus.getAttribute("data-text") || "" : "";
    }
  }
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    showSending(true);
  });
  // Back to the page from the browser's memory (bfcache): it is not being sent any more.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { showSending(false); }
  });
})();

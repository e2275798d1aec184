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

  // One case per click: a second click while sending does nothing.
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
  });
})();

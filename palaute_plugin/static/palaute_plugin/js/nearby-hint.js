/* "Reported already?": while the resident chooses a topic and a place, lists published
   open cases of the topic nearby (the server decides which). The form works without it;
   the receipt lists the same cases. */
(function () {
  "use strict";
  var hint = document.querySelector("[data-nearby-hint]");
  var form = document.querySelector("[data-palaute-form]");
  if (!hint || !form || !window.fetch) { return; }
  var category = form.querySelector("#id_category");
  var place = form.querySelector("input[name=location]");
  var title = hint.querySelector(".nearby__title");
  var status = hint.querySelector("[data-nearby-status]");
  var list = hint.querySelector("[data-nearby-list]");
  var asked = "";

  function point() {
    // wagtailgeowidget writes "SRID=4326;POINT(lon lat)"
    var match = /POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)/i.exec(place ? place.value : "");
    return match ? { lat: match[2], lon: match[1] } : null;
  }

  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    if (className) { a.className = className; }
    a.textContent = text;
    var note = document.createElement("span");
    note.className = "visually-hidden";
    note.textContent = " " + hint.getAttribute("data-new-tab");
    a.appendChild(note);
    return a;
  }

  function item(result) {
    var li = document.createElement("li");
    li.className = "nearby__item";
    if (result.thumbnail) {
      var img = document.createElement("img");
      img.className = "nearby__thumb";
      img.src = result.thumbnail;
      img.alt = "";
      img.width = 64;
      img.height = 64;
      li.appendChild(img);
    }
    li.appendChild(link(result.url, result.title));
    var meta = document.createElement("span");
    meta.className = "nearby__meta";
    meta.textContent = result.status + " · " +
      hint.getAttribute("data-away").replace("{metres}", result.distance_m);
    li.appendChild(meta);
    var metoo = link(result.metoo_url, hint.getAttribute("data-metoo"), "nearby__metoo");
    metoo.setAttribute("aria-label", hint.getAttribute("data-metoo") + ": " + result.title +
      " " + hint.getAttribute("data-new-tab"));
    li.appendChild(metoo);
    return li;
  }

  function show(data) {
    list.textContent = "";
    data.results.forEach(function (result) { list.appendChild(item(result)); });
    list.hidden = title.hidden = data.count === 0;
    status.textContent = data.count ? data.message : "";
  }

  function check() {
    var where = point();
    var id = category ? category.value : "";
    var query = where && id ? "category=" + encodeURIComponent(id) + "&lat=" +
      encodeURIComponent(where.lat) + "&lon=" + encodeURIComponent(where.lon) : "";
    if (query === asked) { return; }
    asked = query;
    if (!query) { show({ count: 0, results: [] }); return; }
    fetch(hint.getAttribute("data-url") + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && query === asked) { show(data); } })
      .catch(function () { /* no hint: the receipt lists the cases */ });
  }

  if (category) { category.addEventListener("change", check); }
  // The map widget sets the place without an event: look at it now and then.
  window.setInterval(check, 800);
  check();
})();

/* Blurred areas on the moderator's form: draw a rectangle on a photo to add the line
   "<photo>: <left> <top> <width> <height>" (per cent) to the text field; the areas
   in the field are shown on the photos as the moderator types. Without this script
   the text field alone works. */
(function () {
  "use strict";
  var LINE = /^\s*(\d+)\s*[:.]?\s+([-+\d.,%\s]+?)\s*$/;

  function parse(text) {
    var areas = [];
    text.split(/\n/).forEach(function (line) {
      var match = LINE.exec(line);
      if (!match) { return; }
      var values = match[2].trim().split(/[\s;]+/).map(function (value) {
        return parseFloat(value.replace("%", "").replace(",", "."));
      });
      if (values.length === 4 && values.every(function (v) { return !isNaN(v); })) {
        areas.push({ number: match[1], values: values });
      }
    });
    return areas;
  }

  function round(value) { return Math.round(value * 10) / 10; }

  function setUp(root) {
    var field = root.querySelector("textarea");
    var hint = root.querySelector("[data-blur-hint]");
    if (!field) { return; }
    if (hint) { hint.hidden = false; }
    var frames = {};
    root.querySelectorAll("[data-photo-number]").forEach(function (item) {
      frames[item.getAttribute("data-photo-number")] = item.querySelector(".palaute-blur__frame");
    });

    function draw() {
      Object.keys(frames).forEach(function (number) {
        frames[number].querySelectorAll(".palaute-blur__area").forEach(function (box) { box.remove(); });
      });
      parse(field.value).forEach(function (area) {
        var frame = frames[area.number];
        if (!frame) { return; }
        var box = document.createElement("span");
        box.className = "palaute-blur__area";
        box.style.left = area.values[0] + "%";
        box.style.top = area.values[1] + "%";
        box.style.width = area.values[2] + "%";
        box.style.height = area.values[3] + "%";
        frame.appendChild(box);
      });
    }

    Object.keys(frames).forEach(function (number) {
      var frame = frames[number];
      var start = null;
      var box = null;
      function at(event) {
        var rect = frame.getBoundingClientRect();
        return {
          x: Math.min(100, Math.max(0, (event.clientX - rect.left) / rect.width * 100)),
          y: Math.min(100, Math.max(0, (event.clientY - rect.top) / rect.height * 100))
        };
      }
      function span(end) {
        return {
          left: Math.min(start.x, end.x), top: Math.min(start.y, end.y),
          width: Math.abs(end.x - start.x), height: Math.abs(end.y - start.y)
        };
      }
      frame.addEventListener("pointerdown", function (event) {
        event.preventDefault();
        start = at(event);
        box = document.createElement("span");
        box.className = "palaute-blur__area";
        frame.appendChild(box);
        frame.setPointerCapture(event.pointerId);
      });
      frame.addEventListener("pointermove", function (event) {
        if (!start) { return; }
        var area = span(at(event));
        box.style.left = area.left + "%";
        box.style.top = area.top + "%";
        box.style.width = area.width + "%";
        box.style.height = area.height + "%";
      });
      frame.addEventListener("pointerup", function (event) {
        if (!start) { return; }
        var area = span(at(event));
        start = null;
        if (area.width >= 1 && area.height >= 1) {
          var line = number + ": " + [area.left, area.top, area.width, area.height].map(round).join(" ");
          field.value = field.value.replace(/\s*$/, "") + (field.value.trim() ? "\n" : "") + line;
          field.dispatchEvent(new Event("change", { bubbles: true }));
        }
        draw();
      });
    });
    field.addEventListener("input", draw);
    field.addEventListener("change", draw);
    draw();
  }

  function init() { document.querySelectorAll("[data-blur-areas]").forEach(setUp); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

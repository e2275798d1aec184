/* How many characters are left in a text box with a limit (data-maxlength), shown as the
   resident types and said to screen readers once they pause. Instead of the maxlength
   attribute, which cuts a pasted text short without a word: past the limit the count
   says how much too long the text is, and the server refuses it and keeps it. */
(function () {
  "use strict";
  function length(text) {
    // As the server counts: a line break is one character, an emoji is one.
    return Array.from(text.replace(/\r\n?/g, "\n")).length;
  }
  function setUp(area) {
    if (area.getAttribute("data-count-ready")) { return; }
    area.setAttribute("data-count-ready", "1");
    var limit = Number(area.getAttribute("data-maxlength"));
    var shown = document.createElement("p");
    shown.className = "hint character-count";
    shown.id = area.id + "_count";
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    area.parentNode.insertBefore(spoken, area.nextSibling);
    area.parentNode.insertBefore(shown, area.nextSibling);
    var timer = null;
    function message() {
      var left = limit - length(area.value);
      var n = Math.abs(left);
      var name = "data-count-" + (left < 0 ? "over" : "left") + "-" + (n === 1 ? "one" : "many");
      return { text: (area.getAttribute(name) || "").replace("%(n)s", String(n)), over: left < 0 };
    }
    function update(speak) {
      var current = message();
      shown.textContent = current.text;
      shown.classList.toggle("character-count--over", current.over);
      if (!speak) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = message().text; }, 1000);
    }
    area.addEventListener("input", function () { update(true); });
    update(false);
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-maxlength]"), setUp);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();

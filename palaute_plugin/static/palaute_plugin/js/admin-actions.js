/* The case screen's actions: a response template fills in the reply, a form shown
   again (with errors or a preview) is brought into view, and after an action the
   focus is on its outcome message. */
(function () {
  "use strict";

  function fillFromTemplate(event) {
    var select = event.target;
    var option = select.options[select.selectedIndex];
    var textarea = document.getElementById(select.getAttribute("data-palaute-template-for"));
    if (!textarea || !option || !option.hasAttribute("data-text")) {
      return;
    }
    var current = textarea.value.trim();
    var confirmText = select.getAttribute("data-palaute-confirm");
    if (current && current !== textarea.getAttribute("data-palaute-filled") &&
        confirmText && !window.confirm(confirmText)) {
      return;
    }
    textarea.value = option.getAttribute("data-text");
    textarea.setAttribute("data-palaute-filled", textarea.value.trim());
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  document.querySelectorAll("select[data-palaute-template-for]").forEach(function (select) {
    select.addEventListener("change", fillFromTemplate);
  });

  var shownAgain = document.querySelector("[data-palaute-focus]");
  if (shownAgain) {
    shownAgain.scrollIntoView({ block: "start" });
    shownAgain.focus({ preventScroll: true });
    return;
  }

  // Back on the case after an action: the keyboard and the screen reader go on from
  // its outcome (Wagtail's message above the header), not from the top of the page.
  var outcome = document.querySelector(".messages li");
  if (outcome && document.querySelector(".palaute-case")) {
    outcome.setAttribute("tabindex", "-1");
    outcome.classList.add("palaute-outcome");
    outcome.scrollIntoView({ block: "start" });
    outcome.focus({ preventScroll: true });
  }
})();

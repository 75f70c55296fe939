// Makes the body map clickable and keyboard-operable. Without this script the lists of
// checkboxes under each figure do the same job. Each SVG region mirrors one checkbox.
(function () {
  "use strict";
  function boxFor(form, value) {
    return form.querySelector('input[type="checkbox"][name="mark"][value="' + value + '"]');
  }
  function sync(region, box) {
    var on = !!(box && box.checked);
    region.setAttribute("aria-checked", on ? "true" : "false");
    region.classList.toggle("marked", on);
  }
  document.querySelectorAll("fieldset.bodymap").forEach(function (set) {
    var form = set.closest("form");
    set.querySelectorAll(".region[data-mark]").forEach(function (region) {
      var box = boxFor(form, region.getAttribute("data-mark"));
      if (!box) { return; }
      sync(region, box);
      function toggle() {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
      region.addEventListener("click", toggle);
      region.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter") { event.preventDefault(); toggle(); }
      });
      box.addEventListener("change", function () { sync(region, box); });
    });
    var list = set.querySelector("details.list-toggle");
    if (list) { list.removeAttribute("open"); }
  });
})();

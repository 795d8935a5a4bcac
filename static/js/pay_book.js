// The pay book form: the weights' total, live, next to the weights (they must total 100).
// A static file, not inline script: the site's CSP allows scripts from its own origin only.
(function () {
  "use strict";

  function update() {
    var output = document.getElementById("weight-total");
    if (!output) {
      return;
    }
    var total = 0;
    var complete = true;
    document.querySelectorAll("input[data-weight]").forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (isNaN(value)) {
        complete = false;
      } else {
        total += value;
      }
    });
    output.textContent = complete ? String(total) : "–";
    output.setAttribute("data-off", complete && total === 100 ? "false" : "true");
  }

  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-weight")) {
      update();
    }
  });
  document.addEventListener("DOMContentLoaded", update);
})();

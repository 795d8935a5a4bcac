// Copy a quick reply (快捷短语) to the clipboard with one tap: buttons with data-copy="text".
// The button says data-copied for two seconds. A static file: the CSP allows no inline script.
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return Promise.resolve();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var text = button.getAttribute("data-copy");
    var copied =
      navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text)
        : fallbackCopy(text);
    copied.then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      button.setAttribute("data-copy-done", "");
      window.setTimeout(function () {
        button.textContent = label;
      }, 2000);
    });
  });
})();

// Ask before an irreversible action (issue an invoice, mark it paid, end an assignment, confirm a
// turnover, run billing). A form with data-confirm="..." shows that message in the browser's
// confirm dialog when it is submitted, and is not sent unless the manager accepts.
//
// * "{name}" in the message is replaced by the current value of the form's field "name" (the
//   month to bill, an assignment's last day), so the question names what is about to happen.
// * data-confirm-if="name" asks only while the checkbox "name" is ticked (enter a turnover and
//   confirm it at once).
//
// A static file, not inline script: the site's CSP allows scripts from its own origin only.
// Listening on the document in the capture phase runs before any other submit handler.
(function () {
  "use strict";

  function fieldValue(form, name) {
    var field = form.elements.namedItem(name);
    return field && typeof field.value === "string" ? field.value : "";
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
        return;
      }
      var gate = form.getAttribute("data-confirm-if");
      if (gate) {
        var box = form.elements.namedItem(gate);
        if (!box || !box.checked) {
          return;
        }
      }
      var message = form.getAttribute("data-confirm").replace(/\{(\w+)\}/g, function (token, name) {
        return fieldValue(form, name) || token;
      });
      if (!window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();

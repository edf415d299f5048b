// Asks before leaving a report with edits not yet saved (issue 17). An enhancement only:
// without JavaScript the form works the same, and a save never writes over another
// editor's change (SPEC §8.4). A form marked data-warn-unsaved="pending" was sent back
// with edits the server did not store (errors, or another editor's save), so it starts
// out unsaved.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (!forms.length) {
    return;
  }
  var unsaved = false;
  var leaving = false;
  Array.prototype.forEach.call(forms, function (form) {
    if (form.getAttribute("data-warn-unsaved") === "pending") {
      unsaved = true;
    }
    form.addEventListener("input", function () { unsaved = true; });
    form.addEventListener("change", function () { unsaved = true; });
  });
  // Any form sent from the page (save, submit, a note) leaves it on purpose.
  document.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved && !leaving) {
      event.preventDefault();
      event.returnValue = "";  // older browsers show the dialog only when this is set
    }
  });
})();

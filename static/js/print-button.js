// Show the "Print this sheet" button only where it can work (it needs JavaScript);
// without it, the browser's own Print command prints the same page.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();

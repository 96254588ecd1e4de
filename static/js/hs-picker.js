// HS-link picker: as an editor types HS codes into a linked field, show what each reaches
// ("0901 → 14 subheadings, 3 national lines"). Without JavaScript the "Check these codes"
// link opens the same answer as a page.
(function () {
  "use strict";
  var fields = document.querySelectorAll("textarea[data-hs-picker]");
  Array.prototype.forEach.call(fields, function (field) {
    var answer = field.parentNode.querySelector(".hs-picker-answer");
    if (!answer) { return; }
    var timer = null;
    var asked = 0;
    function check() {
      var number = ++asked;
      var url = field.getAttribute("data-hs-picker") + "?fragment=1&prefixes=" +
        encodeURIComponent(field.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          // Only the latest answer counts; the fragment is escaped by the server.
          if (number === asked) { answer.innerHTML = html; }
        })
        .catch(function () { /* the link below the field still works */ });
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    });
    if (field.value.trim()) { check(); }
  });
})();

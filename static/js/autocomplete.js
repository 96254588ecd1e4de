// Search autocomplete: fills the search box's <datalist> with suggestions from
// /search/suggest as the person types. The browser draws the list (keyboard and screen
// readers included); without JavaScript the form is a plain search form.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    var asked = 0;
    function suggest() {
      var text = input.value.trim();
      var number = ++asked;
      if (text.length < 2) { list.textContent = ""; return; }
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (answer) {
          if (number !== asked) { return; }  // only the latest answer counts
          list.textContent = "";
          answer.suggestions.forEach(function (entry) {
            var option = document.createElement("option");
            // A code goes straight to its product page when submitted.
            option.value = entry.code || entry.label;
            if (entry.code) { option.label = entry.label; }
            list.appendChild(option);
          });
        })
        .catch(function () { /* the plain search still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
  });
})();

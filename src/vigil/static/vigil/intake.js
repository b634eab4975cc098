// The call-handler form, enhanced: while the handler types, ask Vigil for the register's likeliest
// people and the category the account points to. Without this script the "Find possible subjects"
// button does the same with a full reload. Nothing here is needed to file a report.
(function () {
  "use strict";
  var form = document.getElementById("hotline-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-suggestions");
  var region = document.getElementById("subject-candidates");
  var hint = document.getElementById("category-suggestion");
  var category = document.getElementById("id_category");
  var categoryTouched = category && category.value !== "";
  var watched = ["narrative", "subject_name", "subject_staff_id", "subject_shoulder_number", "subject_rank",
    "subject_station", "subject_command", "subject_vehicle", "subject_uniform", "subject_online_profile",
    "location", "incident_date"];
  var timer = null;
  var latest = 0;

  if (category) {
    category.addEventListener("change", function () { categoryTouched = true; });
  }

  function query() {
    var params = new URLSearchParams();
    watched.forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) { params.set(name, field.value); }
    });
    var chosen = form.querySelector("input[name=subject_candidate]:checked");
    if (chosen && chosen.value) { params.set("subject_candidate", chosen.value); }
    return params;
  }

  function refresh() {
    var ticket = ++latest;
    fetch(url + "?" + query().toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || ticket !== latest) { return; }  // a later keystroke's answer wins
        var focused = document.activeElement && region.contains(document.activeElement);
        if (!focused) { region.innerHTML = data.candidates_html; }
        if (data.category) {
          hint.textContent = "Suggested from what happened: " + data.category.label +
            " (words: " + data.category.matched.join(", ") + ").";
          if (!categoryTouched && category) { category.value = data.category.code; }
        }
      })
      .catch(function () { /* the button still works */ });
  }

  form.addEventListener("input", function (event) {
    if (watched.indexOf(event.target.name) === -1) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();

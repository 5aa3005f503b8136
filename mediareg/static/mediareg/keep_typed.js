/* Keeps what a person typed in a public form across the language switch (templates/includes/
   language_switch.html): switching posts to Django's set_language and reloads the page, which would
   otherwise come back empty. Before the switch form is sent, the text, choices and ticks of every form
   marked data-keep-typed are saved in sessionStorage (this tab only); the reloaded page puts them back
   and forgets them. Chosen files cannot be put back (browsers let no page set a file input), so the
   page then says to choose them again (the element marked data-files-not-kept). Hidden fields (the CSRF
   token, the form's one-time key) and the robots' trap are never kept: the new page brings its own.
   A static file, as the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  var SKIP = { csrfmiddlewaretoken: true, submission_key: true, fax: true, send: true };
  var KEY = "mediareg:typed:" + window.location.pathname;

  function keptForms() { return Array.prototype.slice.call(document.querySelectorAll("form[data-keep-typed]")); }

  function formKey(form, index) { return form.id || "form-" + index; }

  function save() {
    var saved = {}, filesChosen = false;
    keptForms().forEach(function (form, index) {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || SKIP[field.name] || field.disabled || field.type === "hidden") { return; }
        if (field.type === "file") {
          if (field.files && field.files.length) { filesChosen = true; }
          return;
        }
        if (field.type === "submit" || field.type === "button") { return; }
        var list = values[field.name] || (values[field.name] = []);
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.checked) { list.push(field.value); }
        } else if (field.type === "select-multiple") {
          Array.prototype.forEach.call(field.selectedOptions, function (option) { list.push(option.value); });
        } else {
          list.push(field.value);
        }
      });
      saved[formKey(form, index)] = values;
    });
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({ forms: saved, filesChosen: filesChosen }));
    } catch (error) { /* storage off or full: the switch still works, only without the typed text */ }
  }

  function restore() {
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(KEY);
      window.sessionStorage.removeItem(KEY);
    } catch (error) { return; }
    if (!raw) { return; }
    var state;
    try { state = JSON.parse(raw); } catch (error) { return; }
    keptForms().forEach(function (form, index) {
      var values = state.forms && state.forms[formKey(form, index)];
      if (!values) { return; }
      var seen = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || !Object.prototype.hasOwnProperty.call(values, field.name) || SKIP[field.name]
            || field.type === "hidden" || field.type === "file") { return; }
        var list = values[field.name];
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = list.indexOf(field.value) !== -1;
        } else if (field.type === "select-multiple") {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = list.indexOf(option.value) !== -1;
          });
        } else {
          var index = seen[field.name] || 0;  // several fields of one name: each gets its own value back
          seen[field.name] = index + 1;
          if (index < list.length) { field.value = list[index]; }
        }
      });
    });
    if (state.filesChosen) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-files-not-kept]"), function (notice) {
        notice.hidden = false;
      });
    }
  }

  var switcher = document.querySelector("form.language-switch");
  if (switcher) { switcher.addEventListener("submit", save); }
  restore();
}());

/* The form builder's progressive enhancements: drag-and-drop reordering (the Naik/Turun buttons stay and
   work without script and by keyboard), a live preview of the settings being typed, condition rows whose
   value list follows the chosen field, and the options box shown only for choice types. */
(function () {
  "use strict";

  function post(url, values) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    Object.keys(values).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = values[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function moveTo(list, item, index) {
    var values = {csrf_token: list.dataset.csrf, revision: list.dataset.revision, op: list.dataset.op,
                  to: String(index), view: list.dataset.step ? "susun" : ""};
    if (list.dataset.step) { values.step = list.dataset.step; }
    if (list.dataset.group) { values.group = list.dataset.group; }
    values[list.dataset.key] = item.dataset.name;
    post(list.dataset.url, values);
  }

  function wireSortable(list) {
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-options]") ? null : event.target.closest("li[data-name]");
      if (dragged) { dragged.classList.add("dragging"); event.dataTransfer.effectAllowed = "move"; }
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li[data-name]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!dragged) { return; }
      var items = Array.prototype.slice.call(list.querySelectorAll("li[data-name]"));
      moveTo(list, dragged, items.indexOf(dragged));
    });
    list.addEventListener("dragend", function () { if (dragged) { dragged.classList.remove("dragging"); } });
  }

  var timer = null;
  function refreshPreview(form) {
    var box = document.getElementById("pratinjau-langsung");
    if (!box) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(box.dataset.previewUrl, {method: "POST", body: new FormData(form), credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          box.innerHTML = html;
          document.dispatchEvent(new CustomEvent("loket:preview", {detail: box}));
        })
        .catch(function () { /* the saved preview stays */ });
    }, 400);
  }

  function followField(select) {
    var row = select.closest(".condition-row");
    var value = row && row.querySelector("input[name$='_value']");
    if (value) { value.setAttribute("list", "opsi-" + (select.value || "-")); }
  }

  function addRowButton(container, rowSelector, text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.textContent = text;
    button.addEventListener("click", function () {
      var rows = container.querySelectorAll(rowSelector);
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (input) {
        if (input.name === "opt_order") { input.value = String(rows.length + 1); } else if (input.type !== "hidden" || input.name === "opt_old") { input.value = ""; }
      });
      copy.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-" + rows.length; });
      rows[rows.length - 1].parentNode.appendChild(copy);
    });
    container.appendChild(button);
  }

  function renumber(body) {
    body.querySelectorAll("input[name=opt_order]").forEach(function (input, index) { input.value = String(index + 1); });
  }

  function wireOptionRows(body) {
    var dragged = null;
    body.querySelectorAll("tr").forEach(function (row) { row.draggable = true; row.classList.add("draggable-row"); });
    body.addEventListener("dragstart", function (event) {
      if (event.target.matches && event.target.matches("input")) { event.preventDefault(); return; }
      dragged = event.target.closest("tr");
    });
    body.addEventListener("dragover", function (event) {
      var over = event.target.closest("tr");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      body.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    body.addEventListener("drop", function (event) {
      event.preventDefault();
      event.stopPropagation();
      renumber(body);
      dragged = null;
    });
  }

  function showOptionsFor(select) {
    var box = document.querySelector("[data-options-for-choice]");
    if (!box) { return; }
    var choice = (select.dataset.optionTypes || "").split(" ").indexOf(select.value) >= 0;
    box.hidden = !choice;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sortable]").forEach(wireSortable);
    document.querySelectorAll("form[data-live-preview]").forEach(function (form) {
      form.addEventListener("input", function () { refreshPreview(form); });
      form.addEventListener("change", function () { refreshPreview(form); });
    });
    document.querySelectorAll("select[data-condition-field]").forEach(function (select) {
      select.addEventListener("change", function () { followField(select); });
    });
    document.querySelectorAll(".condition").forEach(function (box) {
      var list = box.querySelector(".condition-rows");
      if (list) { addRowButton(list.parentNode, ".condition-row", box.dataset.addLabel || "+ syarat"); }
    });
    document.querySelectorAll("tbody[data-options]").forEach(wireOptionRows);
    document.querySelectorAll(".options-editor").forEach(function (box) {
      addRowButton(box, ".option-row", box.dataset.addLabel || "+ pilihan");
    });
    var type = document.getElementById("baru-jenis");
    if (type) { showOptionsFor(type); type.addEventListener("change", function () { showOptionsFor(type); }); }
    document.addEventListener("submit", function (event) {
      if (event.target.matches("[data-preview-form]")) { event.preventDefault(); }
    });
  });
}());

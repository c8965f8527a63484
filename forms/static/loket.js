/* Loket page behaviour: conditions, lookups and cascading choices. The server decides everything;
   this only makes the page answer at once. No inline scripts (the CSP forbids them). */
(function () {
  "use strict";

  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v === "string" && /^-?[\d.]+(,\d+)?$/.test(v.trim())) return parseFloat(v.replace(/\./g, "").replace(",", "."));
    return v;
  }
  function truthy(v) { return Array.isArray(v) ? v.length > 0 : !!v && v !== "0"; }
  function getVar(data, path) {
    var value = data;
    String(path).split(".").forEach(function (part) { value = value == null ? undefined : value[part]; });
    return value === "" ? null : value;
  }
  var UNKNOWN = {};
  function evaluate(rule, data) {
    if (Array.isArray(rule)) return rule.map(function (r) { return evaluate(r, data); });
    if (rule === null || typeof rule !== "object") return rule;
    var op = Object.keys(rule)[0], args = rule[op];
    if (!Array.isArray(args)) args = [args];
    if (op === "var") return getVar(data, args[0]) ?? (args.length > 1 ? args[1] : null);
    if (op === "and") { var a = true; for (var i = 0; i < args.length; i++) { a = evaluate(args[i], data); if (!truthy(a)) return a; } return a; }
    if (op === "or") { var o = false; for (var j = 0; j < args.length; j++) { o = evaluate(args[j], data); if (truthy(o)) return o; } return o; }
    if (op === "if") {
      for (var k = 0; k + 1 < args.length; k += 2) if (truthy(evaluate(args[k], data))) return evaluate(args[k + 1], data);
      return args.length % 2 ? evaluate(args[args.length - 1], data) : null;
    }
    var v = args.map(function (x) { return evaluate(x, data); });
    if (v.indexOf(UNKNOWN) >= 0) return UNKNOWN;
    switch (op) {
      case "==": return String(v[0]) === String(v[1]) || num(v[0]) === num(v[1]);
      case "!=": return !(String(v[0]) === String(v[1]) || num(v[0]) === num(v[1]));
      case "!": case "not": return !truthy(v[0]);
      case "!!": return truthy(v[0]);
      case "+": return v.reduce(function (t, x) { var n = num(x); return t + (typeof n === "number" && !isNaN(n) ? n : 0); }, 0);
      case "-": return v.length === 1 ? -num(v[0]) : (num(v[0]) || 0) - (num(v[1]) || 0);
      case "*": return v.reduce(function (t, x) { return t * (num(x) || 0); }, 1);
      case "in": return Array.isArray(v[1]) ? v[1].map(String).indexOf(String(v[0])) >= 0 : String(v[1] || "").indexOf(v[0]) >= 0;
      case "<": return v[0] != null && v[1] != null && num(v[0]) < num(v[1]);
      case "<=": return v[0] != null && v[1] != null && num(v[0]) <= num(v[1]);
      case ">": return v[0] != null && v[1] != null && num(v[0]) > num(v[1]);
      case ">=": return v[0] != null && v[1] != null && num(v[0]) >= num(v[1]);
      case "empty": return !truthy(v[0]);
      case "count": return (v[0] || []).length;
      case "cat": return v.map(function (x) { return x == null ? "" : String(x); }).join("");
      case "lookup": return lookedUp(v[0], v[1], v[2], v[3]);
      default: return UNKNOWN;
    }
  }

  // A value of a reference table, asked of the server once per (table, key, column, band); until it answers the
  // value is unknown, and the answer re-runs the page's rules (a risk class shown as soon as the scale is typed).
  var lookups = new Map();
  function lookedUp(table, key, column, band) {
    if (key == null || key === "") return null;
    var hasBand = band != null && band !== "";
    var id = [table, key, column, hasBand ? band : ""].join("\u0000");
    if (lookups.has(id)) return lookups.get(id);
    lookups.set(id, UNKNOWN);
    var url = "/referensi/" + encodeURIComponent(table) + "/nilai?kunci=" + encodeURIComponent(key) +
      "&kolom=" + encodeURIComponent(column) + (hasBand ? "&pita=" + encodeURIComponent(band) : "");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { value: null }; })
      .then(function (answer) {
        lookups.set(id, answer.value);
        document.querySelectorAll("form.wizard-form").forEach(applyConditions);
      });
    return UNKNOWN;
  }

  function numeric(data) {
    var out = {};
    Object.keys(data).forEach(function (k) { out[k] = typeof data[k] === "string" ? num(data[k].replace(/^Rp\.?\s*/i, "")) : data[k]; });
    return out;
  }
  function show(value, format) {
    if (typeof value !== "number") return String(value);
    var grouped = Math.round(Math.abs(value)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (value < 0 ? "-" : "") + (format === "money" ? "Rp" : "") + grouped;
  }
  function formData(form, base) {
    var data = Object.assign({}, base);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.charAt(0) === "_" || el.type === "file") return;
      if (el.type === "checkbox") {
        var boxes = form.querySelectorAll('input[type=checkbox][name="' + el.name + '"]');
        if (boxes.length === 1) data[el.name] = el.checked;
        else { data[el.name] = data[el.name] instanceof Array ? data[el.name] : []; if (el.checked) data[el.name].push(el.value); }
      } else if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value; else if (!(el.name in data)) data[el.name] = null;
      } else data[el.name] = el.value;
    });
    return data;
  }

  function rowScope(box, data, rowValues) {
    var rowBox = box.closest(".repeat-row");
    if (!rowBox) return data;
    var scope = Object.assign({}, data, JSON.parse(rowBox.getAttribute("data-row") || "{}"), rowValues.get(rowBox) || {});
    rowBox.querySelectorAll("[name]").forEach(function (el) {
      var parts = el.name.split("-");
      if (parts.length === 3) scope[parts[2]] = el.type === "checkbox" ? el.checked : el.value;
    });
    return scope;
  }

  function applyConditions(form) {
    var base = JSON.parse(form.getAttribute("data-rules-context") || "{}");
    var data = formData(form, base);
    var rowValues = new Map();  // computed values per repeat row, so later outputs can use earlier ones
    form.querySelectorAll("output[data-expr]").forEach(function (out) {
      var scope = numeric(rowScope(out, data, rowValues));
      var value = evaluate(JSON.parse(out.getAttribute("data-expr")), scope);
      if (value === UNKNOWN) return;
      var labels = JSON.parse(out.getAttribute("data-labels") || "{}");
      var text = value == null ? "—" : labels[String(value)] || show(value, out.getAttribute("data-format"));
      if (out.textContent !== text) out.textContent = text;  // untouched DOM keeps a click in progress intact
      var name = out.id.replace(/^f-/, "").split("-").pop();
      var rowBox = out.closest(".repeat-row");
      if (rowBox) { var values = rowValues.get(rowBox) || {}; values[name] = value; rowValues.set(rowBox, values); }
      else data[name] = value;
    });
    form.querySelectorAll("[data-visible-if]").forEach(function (box) {
      var result = evaluate(JSON.parse(box.getAttribute("data-visible-if")), rowScope(box.parentElement, data, rowValues));
      if (result !== UNKNOWN && box.hidden !== !truthy(result)) box.hidden = !truthy(result);
    });
  }

  // The KBLI-style lookup as an ARIA combobox: typing fetches matches into a listbox; Down/Up walk it
  // (aria-activedescendant), Enter or a click takes the code, Escape closes. Focus stays in the field.
  function wireLookup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.getAttribute("data-status"));
    var timer = null, active = -1, asked = 0;
    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function mark(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function choose(item) {
      input.value = item.getAttribute("data-value");
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function fill(rows) {
      list.textContent = ""; active = -1;
      rows.forEach(function (row, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i; item.setAttribute("role", "option"); item.setAttribute("aria-selected", "false");
        item.setAttribute("data-value", row.key); item.textContent = row.key + " — " + row.label;
        list.appendChild(item);
      });
      list.hidden = !rows.length;
      input.setAttribute("aria-expanded", rows.length ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
      status.textContent = rows.length ? status.getAttribute("data-found").replace("{n}", rows.length) : status.getAttribute("data-none");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { asked++; close(); return; }
        var ticket = ++asked;  // an answer to an older question must not replace a newer list
        fetch(input.getAttribute("data-lookup") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) { if (ticket === asked) fill(rows); });
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options().length) return;
        event.preventDefault();
        if (!open) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        mark(active < 0 && event.key === "ArrowUp" ? -1 : active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep focus in the field
    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) choose(item);
    });
    input.addEventListener("blur", close);
  }

  function wireCascade(form, select) {
    var row = select.name.match(/^(.+-\d+-)/);  // inside a repeat row the parent is a sibling
    var parent = form.querySelector('[name="' + (row ? row[1] : "") + select.getAttribute("data-parent") + '"]');
    if (!parent) return;
    parent.addEventListener("change", function () {
      var url = "/referensi/" + select.getAttribute("data-table") + "?batas=1000&kolom=" +
        encodeURIComponent(select.getAttribute("data-column")) + "&induk=" + encodeURIComponent(parent.value);
      select.length = 1;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      if (!parent.value) return;
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : []; }).then(function (rows) {
        rows.sort(function (a, b) { return a.label.localeCompare(b.label, "id"); });
        rows.forEach(function (row) { select.add(new Option(row.label, row.key)); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.wizard-form").forEach(function (form) {
      applyConditions(form);
      form.addEventListener("input", function () { applyConditions(form); });
      form.addEventListener("change", function () { applyConditions(form); });
      form.querySelectorAll("input[data-lookup]").forEach(wireLookup);
      form.querySelectorAll("select[data-parent]").forEach(function (s) { wireCascade(form, s); });
    });
    // A refused form: move focus to its error summary, so it is read out and its links are next.
    var summary = document.getElementById("ringkasan-kesalahan") || document.querySelector(".error-summary[role=alert]");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });
})();

/* The officer's case page: file previews loaded only when opened, the page kept where it was after a
   save, and keyboard shortcuts with Alt+Shift (never a single key, never while typing in a field). */
(function () {
  "use strict";
  var SCROLL_KEY = "loket.case.scroll";

  function openPreview(box) {
    if (box.dataset.loaded) { return; }
    box.dataset.loaded = "1";
    var slot = box.querySelector(".preview-slot");
    var viewer = document.createElement(box.dataset.kind === "pdf" ? "iframe" : "img");
    viewer.src = box.dataset.src;
    if (box.dataset.kind === "pdf") {
      viewer.className = "viewer";
      viewer.title = box.dataset.title;
    } else {
      viewer.className = "viewer-image";
      viewer.alt = box.dataset.title;
    }
    slot.replaceWith(viewer);
  }

  function typing(target) {
    var tag = (target && target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable);
  }

  function onKey(event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var wanted = {KeyN: "next", KeyK: "inbox"}[event.code];
    var link = wanted && document.querySelector('[data-shortcut="' + wanted + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  }

  function keepScroll() {
    try { sessionStorage.setItem(SCROLL_KEY, JSON.stringify({path: location.pathname, y: window.scrollY})); } catch (e) { /* storage off */ }
  }

  /* After a save: back where the officer was. After a refusal: at the first wrong row (its field focused), or
     at the top where the refusal's message is. */
  function restoreScroll() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "null"); sessionStorage.removeItem(SCROLL_KEY); } catch (e) { return; }
    var wrong = document.querySelector(".has-problem [aria-invalid=true]");
    if (wrong) {
      wrong.focus();
    } else if (!document.querySelector(".flash-warning") && saved && saved.path === location.pathname) {
      window.scrollTo(0, saved.y);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.preview").forEach(function (box) {
      box.addEventListener("toggle", function () { if (box.open) { openPreview(box); } });
    });
    document.querySelectorAll("main form[method=post]").forEach(function (form) {
      form.addEventListener("submit", keepScroll);
    });
    document.addEventListener("keydown", onKey);
  });
  window.addEventListener("load", restoreScroll);  // after the browser's own jump to the address's #anchor
})();

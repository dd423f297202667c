// The few behaviours pages need besides htmx, as delegated listeners: the
// Content-Security-Policy allows no inline script or event handler.
(function () {
  "use strict";

  // <form data-confirm="Sure?">: ask before submitting (with or without htmx).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <div data-keep-selection hx-trigger="live-...">: a live refresh waits while the user
  // has ticked boxes in it (a bulk selection is not thrown away under their hands).
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-keep-selection") &&
        elt.querySelector("input[type=checkbox]:checked")) {
      event.preventDefault();
    }
  });

  // <img data-hide-on-error>: a poster the site no longer serves leaves no broken icon.
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img && img.hasAttribute && img.hasAttribute("data-hide-on-error")) {
      img.style.visibility = "hidden";
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target;
    // <input type="checkbox" data-select-all="css selector">: tick or untick them all.
    var selector = target.getAttribute && target.getAttribute("data-select-all");
    if (selector) {
      document.querySelectorAll(selector).forEach(function (box) {
        box.checked = target.checked;
      });
    }
    // <input data-select-on-click>: select the whole value (tokens to copy).
    if (target.hasAttribute && target.hasAttribute("data-select-on-click")) {
      target.select();
    }
  });
})();

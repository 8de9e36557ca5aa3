// The queue's filters start open on wide screens and folded on phones.
document.addEventListener("DOMContentLoaded", function () {
  if (window.innerWidth > 720) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (el) {
      el.open = true;
    });
  }
});

// Ask once before a step that cannot be undone (forms with data-confirm).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

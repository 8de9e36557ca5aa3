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

// A page waiting for background work (e.g. an export's ZIP) reloads itself while
// it waits; it says so on the page and offers a link to check at once.
document.addEventListener("DOMContentLoaded", function () {
  var waiting = document.querySelector("[data-reload-after]");
  if (waiting) {
    var seconds = parseInt(waiting.getAttribute("data-reload-after"), 10) || 5;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
});

// A drive's page counts its sign-ups live: ask the count every 15 seconds.
(function () {
  var holder = document.querySelector("[data-count-url]");
  var shown = document.getElementById("signups");
  if (!holder || !shown || !window.fetch) return;
  var url = holder.getAttribute("data-count-url");
  setInterval(function () {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) shown.textContent = String(data.signups); })
      .catch(function () {});
  }, 15000);
})();

// The sign-in screen: every few seconds, fetch the current code and the
// arrivals, and redraw them without reloading the page. Without
// JavaScript the page refreshes itself every 30 seconds instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin-state]");
  if (!root) { return; }
  var url = root.getAttribute("data-checkin-state");
  var code = document.querySelector("[data-testid=checkin-code]");
  var qr = document.querySelector("[data-testid=checkin-qr]");
  var list = document.querySelector("[data-testid=arrivals]");
  var count = document.querySelector("[data-testid=arrival-count]");
  var last = "";
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (s.code !== last) {
          last = s.code;
          code.textContent = s.code;
          qr.setAttribute("src", s.qr);
        }
        count.textContent = s.count;
        list.textContent = "";
        s.arrivals.forEach(function (a) {
          var li = document.createElement("li");
          li.setAttribute("data-testid", "arrival");
          li.textContent = a.name + " · " + a.at;
          list.appendChild(li);
        });
      })
      .catch(function () {});
  }
  setInterval(tick, 3000);
})();

/* `lcmodules serve` only: reload the page when a source is saved, keeping the scroll position. */
(function () {
  "use strict";
  var panel = document.getElementById("lcserve");
  if (!panel) return;
  var generation = panel.getAttribute("data-generation");
  var key = "lcserve-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      window.scrollTo(0, Number(saved));
    }
  } catch (e) { /* no storage: start at the top */ }

  function reload() {
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  var source = new EventSource("/__lcserve/events?generation=" + encodeURIComponent(generation));
  source.onmessage = function (event) {
    if (event.data !== generation) {
      source.close();
      reload();
    }
  };
  // the server stopped or restarted: try again now and then, reload when it is back
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED) setTimeout(reload, 1000);
  };
})();

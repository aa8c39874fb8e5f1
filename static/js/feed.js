// The home page. Coming back from the player through the back/forward cache would show the tray
// as it was before watching; reload so the rings that were dimmed show dimmed.
(function () {
  "use strict";
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
})();

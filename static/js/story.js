// A story's own page (/stories/<id>/, the link people share): its stickers drawn by the player's
// own builder (static/js/stickers.js), its text overlays placed, the processing status polled until the story is ready,
// and a confirmation before deleting.
(function () {
  "use strict";
  const root = document.getElementById("story-view");
  if (!root) return;

  // Text overlays: the template writes their place and colours as data attributes (the page
  // policy allows no style attributes), applied here as the player does.
  root.querySelectorAll(".overlay-layer .overlay").forEach(function (p) {
    const d = p.dataset;
    p.style.left = (Number(d.x) || 0) * 100 + "%";
    p.style.top = (Number(d.y) || 0) * 100 + "%";
    p.style.setProperty("--overlay-size", String(Number(d.size) || 0.06));
    p.style.setProperty("--overlay-rotation", (Number(d.rotation) || 0) + "deg");
    if (d.color) p.style.color = d.color;
    if (d.background) p.style.background = d.background;
  });

  const layer = root.querySelector(".story-stickers");
  const data = document.getElementById("story-stickers");
  if (layer && data && window.StoriesStickers) {
    window.StoriesStickers.render(layer, JSON.parse(data.textContent), root);
  }

  const box = root.querySelector("[data-poll-story]");
  if (box) {
    const check = function () {
      fetch(box.dataset.pollStory, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (story) {
          if (story.state && story.state !== "processing") window.location.reload();
          else window.setTimeout(check, 1500);
        })
        .catch(function () { window.setTimeout(check, 3000); });
    };
    window.setTimeout(check, 1500);
  }

  root.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();

// A story's own page (/stories/<id>/, the link people share): its text overlays and stickers
// drawn by the player's own builders (lib/overlays.js, stickers.js), the processing status
// polled until the story is ready, and a confirmation before deleting.
import { readJSON } from "./lib/dom.js";
import { api } from "./lib/http.js";
import { drawOverlays } from "./lib/overlays.js";
import { renderStickers } from "./stickers.js";

const storyRoot = document.getElementById("story-view");
if (storyRoot) startStoryPage(storyRoot);

function startStoryPage(root) {
  const overlays = root.querySelector(".overlay-layer");
  if (overlays) drawOverlays(overlays, readJSON("story-overlays", []));

  const layer = root.querySelector(".story-stickers");
  if (layer) renderStickers(layer, readJSON("story-stickers"), root);

  const box = root.querySelector("[data-poll-story]");
  if (box) {
    const check = function () {
      api(box.dataset.pollStory)
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
}

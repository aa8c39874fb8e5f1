// Stickers a viewer can use, in the player and on a story's own page: the shapes come from
// lib/overlays.js (the editor draws the same ones), and this module wires the taps to
// /api/v1/stickers/{id}/..., holding the player's playback while the viewer types an answer.
import { el } from "./lib/dom.js";
import { api } from "./lib/http.js";
import { showPoll, showQuiz, stickerNode } from "./lib/overlays.js";
import { signInFirst } from "./lib/signin.js";

const FALLBACK = "That did not work. Please try again.";

function post(path, body) {
  return api("stickers/" + path, { method: "POST", json: body, fallback: FALLBACK }).then(function (data) {
    return data || {};
  });
}

// Ask the player to hold playback ("story:hold", detail {reason, on}); it lets go on release.
function hold(root, on) {
  if (root) root.dispatchEvent(new CustomEvent("story:hold", { detail: { reason: "sticker", on: on } }));
}

function say(node, text) {
  const note = node.querySelector(".sticker-note");
  if (note) note.textContent = text;
}

function wire(node, sticker, root) {
  const signedIn = !root || root.dataset.viewer !== "";
  if (sticker.type === "poll" || sticker.type === "quiz") {
    const can = sticker.type === "poll" ? sticker.can_vote : sticker.can_answer;
    node.querySelectorAll("button.sticker-option").forEach(function (row) {
      if (!can) {
        if (!node.classList.contains("has-results")) {
          row.addEventListener("click", function () {
            if (!signedIn) signInFirst(root);
            else say(node, sticker.type === "poll" ? "You cannot vote on your own poll." : "You cannot answer your own quiz.");
          });
        }
        return;
      }
      row.addEventListener("click", function () {
        if (node.classList.contains("has-results") || node.classList.contains("is-busy")) return;
        node.classList.add("is-busy");
        const option = Number(row.dataset.index);
        const path = sticker.id + (sticker.type === "poll" ? "/vote/" : "/answer/");
        post(path, { option: option }).then(function (data) {
          if (sticker.type === "poll") {
            sticker.results = data;
            sticker.can_vote = false;
            showPoll(node, data, false);
          } else {
            Object.assign(sticker, data, { can_answer: false, my_answer: option });
            showQuiz(node, sticker, false);
          }
        }).catch(function (error) {
          say(node, error.message);
        }).finally(function () {
          node.classList.remove("is-busy");
        });
      });
    });
  } else if (sticker.type === "question") {
    const form = node.querySelector(".sticker-ask");
    if (!form) return;
    const input = form.querySelector("textarea");
    input.addEventListener("focus", function () {
      if (!signedIn) { input.blur(); signInFirst(root); return; }
      hold(root, true);
    });
    input.addEventListener("blur", function () { hold(root, false); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Tab") return; // the player keeps focus inside itself
      event.stopPropagation(); // the player's keys (space, arrows, Escape) are not for this box
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === "Escape") {
        input.blur();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) { say(node, "Write a question first."); return; }
      const send = form.querySelector("button");
      send.disabled = true;
      post(sticker.id + "/questions/", { text: text }).then(function () {
        input.value = "";
        say(node, "Sent");
        node.classList.add("is-sent");
        input.blur();
      }).catch(function (error) {
        say(node, error.message);
      }).finally(function () {
        send.disabled = false;
      });
    });
  }
  // Taps on a sticker are the sticker's: they never reach the player's tap zones or hold.
  ["pointerdown", "pointerup", "click", "touchstart"].forEach(function (name) {
    node.addEventListener(name, function (event) { event.stopPropagation(); });
  });
}

// Draw an item's stickers in the player's layer, over a frame box the same shape as the media's.
export function renderStickers(layer, item, root) {
  if (!layer) return;
  layer.replaceChildren();
  const stickers = (item && item.stickers) || [];
  if (!stickers.length) return;
  const frame = el("div", "sticker-frame");
  stickers.forEach(function (sticker) {
    const node = stickerNode(sticker);
    if (!node) return;
    wire(node, sticker, root || layer.closest("#player"));
    frame.appendChild(node);
  });
  layer.appendChild(frame);
}

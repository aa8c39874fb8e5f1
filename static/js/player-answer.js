// Under each item: the sound it uses (to its page, with "Use this sound"), a private reply box
// and quick reactions (both land in the author's messages, feed/messaging.py), and "Report".
// Shown only where they make sense: no reply to your own story, none when its author turned
// replies off, nothing to report of your own.
import { el } from "./lib/dom.js";
import { api } from "./lib/http.js";
import { nameOf } from "./lib/people.js";
import { signInFirst } from "./lib/signin.js";

export function createAnswerBar({ root, ui, viewer, reactions, hold, toast, current }) {
  const signedIn = viewer !== "";

  function showSound(item) {
    const sound = item.sound;
    ui.sound.hidden = !sound;
    ui.useSound.hidden = !sound && item.kind !== "video";
    if (sound) {
      ui.soundLink.href = "/sounds/" + encodeURIComponent(sound.id);
      ui.soundLink.textContent = "♫ " + sound.title;
    }
  }

  // A library sound opens the editor with it; a clip's own audio is lifted first (the server
  // keeps its story's audience until its author publishes it).
  function useSound() {
    const item = current();
    if (!signedIn) {
      signInFirst(root);
      return;
    }
    const open = function (sound) {
      window.location.href = "/stories/create/?sound=" + encodeURIComponent(sound.id);
    };
    if (item.sound) {
      open(item.sound);
      return;
    }
    ui.useSound.disabled = true;
    api("stories/" + item.id + "/use-sound/", { method: "POST" })
      .then(open)
      .catch(function (error) { toast(error.message); })
      .then(function () { ui.useSound.disabled = false; });
  }

  function send(item, path, json, done) {
    return api("stories/" + item.id + "/" + path, { method: "POST", json: json })
      .then(function () { toast(done); return true; })
      .catch(function (error) { toast(error.message); return false; });
  }

  function buildReactions() {
    ui.reactions.replaceChildren();
    reactions.forEach(function (emoji) {
      const button = el("button", "player-reaction", emoji);
      button.type = "button";
      button.setAttribute("aria-label", "React " + emoji);
      button.addEventListener("click", function () {
        const item = current();
        send(item, "reactions/", { emoji: emoji }, "Sent " + emoji + " to " + item.author.username);
      });
      ui.reactions.appendChild(button);
    });
  }

  ui.replyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const item = current();
    const text = ui.replyInput.value.trim();
    if (!text) return;
    ui.replyInput.disabled = true;
    send(item, "replies/", { text: text }, "Reply sent to " + item.author.username).then(function (sent) {
      ui.replyInput.disabled = false;
      if (sent) {
        ui.replyInput.value = "";
        ui.replyInput.blur();
      }
    });
  });
  // Typing a reply holds the item on screen.
  ui.replyInput.addEventListener("focus", function () { hold("reply", true); });
  ui.replyInput.addEventListener("blur", function () { hold("reply", false); });
  // Keys typed in the box are words, not player shortcuts.
  ui.replyInput.addEventListener("keydown", function (event) { event.stopPropagation(); });
  ui.useSound.addEventListener("click", useSound);
  buildReactions();

  return {
    update(item) {
      const mine = item.author.username === viewer;
      ui.replyForm.hidden = !signedIn || mine || item.allow_replies === false;
      ui.replyInput.placeholder = "Reply to " + nameOf(item.author) + "…";
      ui.report.hidden = mine;
      ui.report.href = "/report/story/" + encodeURIComponent(item.id) + "/";
      showSound(item);
      root.classList.toggle("has-answer", !(ui.replyForm.hidden && ui.sound.hidden && ui.useSound.hidden));
      root.classList.toggle("has-reply", !ui.replyForm.hidden);
    },
  };
}

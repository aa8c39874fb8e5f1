// What the person does in the player: taps on the left and right of the frame, press and hold to
// pause, the rail's buttons, the keys (arrows, space, Escape), focus kept inside the player, and
// the page being hidden or left.

const HOLD_MS = 250;

function focusables(container) {
  return Array.prototype.filter.call(
    container.querySelectorAll("a[href], button:not([disabled]), textarea, input, [tabindex='0']"),
    function (node) { return node.getClientRects().length > 0; }
  );
}

// `player` is the whole player (player.js): its root, ui and state, and what its parts do.
export function bindInput(player) {
  const { root, ui, state, comments } = player;
  let holdTimer = 0;
  let held = false;

  function zonePress(event) {
    if (event.button && event.button !== 0) return;
    held = false;
    window.clearTimeout(holdTimer);
    holdTimer = window.setTimeout(function () {
      held = true;
      player.hold("hold", true);
    }, HOLD_MS);
  }

  function zoneRelease() {
    window.clearTimeout(holdTimer);
    if (held) player.hold("hold", false);
  }

  [ui.prevZone, ui.nextZone].forEach(function (zone) {
    zone.addEventListener("pointerdown", zonePress);
    zone.addEventListener("pointerup", zoneRelease);
    zone.addEventListener("pointercancel", zoneRelease);
    zone.addEventListener("pointerleave", zoneRelease);
    zone.addEventListener("contextmenu", function (event) { event.preventDefault(); });
    zone.addEventListener("click", function (event) {
      // A press that paused is not also a tap: letting go just resumes.
      if (held) {
        held = false;
        event.preventDefault();
        return;
      }
      if (zone === ui.prevZone) player.previous();
      else player.next();
    });
  });

  ui.pause.addEventListener("click", function () { player.hold("user", !state.pauses.has("user")); });
  ui.mute.addEventListener("click", function () {
    player.setMuted(!state.muted, true);
    if (!state.pauses.size) player.playingMedia().forEach(function (media) { media.play().catch(function () {}); });
  });
  ui.close.addEventListener("click", player.close);
  ui.prevAuthor.addEventListener("click", function () { player.goToAuthor(-1); });
  ui.nextAuthor.addEventListener("click", function () { player.goToAuthor(1); });
  ui.follow.addEventListener("click", player.followFromStory);
  ui.like.addEventListener("click", player.toggleLike);
  ui.like.addEventListener("animationend", function () { ui.like.classList.remove("pop"); });
  ui.share.addEventListener("click", player.share);
  ui.remove.addEventListener("click", player.removeItem);

  document.addEventListener("keydown", function (event) {
    const sheetOpen = comments.isOpen();
    if (event.key === "Tab") {
      // Focus stays inside the player (and inside the sheet while it is open).
      const list = focusables(sheetOpen ? ui.sheet : root);
      if (!list.length) return;
      const first = list[0];
      const last = list[list.length - 1];
      const inside = (sheetOpen ? ui.sheet : root).contains(document.activeElement);
      if (event.shiftKey && (document.activeElement === first || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
      return;
    }
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") {
      event.preventDefault();
      if (sheetOpen) comments.close();
      else if (typing) target.blur();
      else player.close();
      return;
    }
    if (typing) return; // keys typed into a field are text, not commands
    if (sheetOpen || event.altKey || event.ctrlKey || event.metaKey) return;
    const onZone = target === ui.prevZone || target === ui.nextZone || target === root || target === document.body;
    if (event.key === "ArrowRight") {
      event.preventDefault();
      player.next();
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      player.previous();
    } else if (event.key === " " && onZone) {
      event.preventDefault();
      player.hold("user", !state.pauses.has("user"));
    }
  });

  // Other scripts on the page (the stickers) hold playback too, e.g. while the viewer types an
  // answer: {reason, on} on a "story:hold" event. Their holds end when the item changes.
  root.addEventListener("story:hold", function (event) {
    const detail = event.detail || {};
    player.hold("ext:" + String(detail.reason || "other"), Boolean(detail.on));
  });

  document.addEventListener("visibilitychange", function () {
    player.hold("hidden", document.visibilityState === "hidden");
  });
  // Leaving the page without hiding it first (some browsers): the view's last report.
  window.addEventListener("pagehide", function () {
    if (state.element) player.watch.report(player.position(), { beacon: true });
  });
}

// The player's stage and its one clock: the media element of the item on screen (and the next
// one, made ahead), the progress bars, and playback with the reasons that hold it. Progress and
// auto-advance come from one clock, so a photo's bar and its end agree.
import { el } from "./lib/dom.js";
import { nameOf } from "./lib/people.js";

// Where the person's mute choice is kept between visits.
export const MUTE_KEY = "stories:muted";

// `player` is what the stage needs from the rest of the player (player.js): root, ui, state,
// photoSeconds, watch, current(), toast(text), next() and recordView(item, completed).
export function createPlayback(player) {
  const { root, ui, state } = player;

  // --- Progress bars ----------------------------------------------------------------------

  function buildProgress() {
    ui.progress.replaceChildren();
    state.items.forEach(function (item, i) {
      const bar = el("div", "segment");
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-label", "Item " + (i + 1) + " of " + state.items.length);
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.setAttribute("aria-valuenow", "0");
      bar.appendChild(el("span", "fill"));
      ui.progress.appendChild(bar);
    });
  }

  // A bar at `fraction`: still (paused, done, not started), or moved on by each beat of the
  // clock while its item plays (tick). It steps a few times a second instead of being animated:
  // an animation, a CSS transition or a restyle on every frame each cost the main thread a
  // frame (style, paint, commit) 60 times a second, and on a slow phone Lighthouse counted
  // those frames as up to a second of blocking time while the first clip played.
  function setProgress(i, fraction) {
    const bar = ui.progress.children[i];
    if (!bar) return;
    const clamped = Math.min(1, Math.max(0, fraction));
    bar.firstChild.style.transform = "scaleX(" + clamped + ")";
    const value = String(Math.round(clamped * 100));
    if (bar.getAttribute("aria-valuenow") !== value) bar.setAttribute("aria-valuenow", value);
  }

  // --- The media on stage -----------------------------------------------------------------

  function teardown() {
    // The view on screen ends here (next, previous, another author, close): how far it got.
    // (state.items may already be the next author's: the item on stage is the watched one.)
    const shown = player.watch.item();
    if (state.element && shown) player.watch.end(state.completed ? duration(shown) : position(shown));
    if (state.element && state.element.tagName === "VIDEO") {
      state.element.pause();
      state.element.removeAttribute("src");
      state.element.load();
    }
    if (state.audio) {
      state.audio.pause();
      state.audio = null;
    }
    state.element = null;
    // The server's first picture stays while its clip may still need it (takeFirstPicture).
    Array.from(ui.media.children).forEach(function (child) {
      if (!child.classList.contains("player-first-picture")) child.remove();
    });
    ui.overlays.replaceChildren();
  }

  // The still picture of an item (a clip's poster, or the photo) at the size the frame shows it:
  // the smallest of the poster's WebP renditions (the widths are the page's data-poster-widths,
  // stories/renditions.py) that covers the frame at this screen's density, as the browser picks
  // from the srcset of the first item's picture, so both name the same file.
  function stillUrl(item) {
    if (!item.poster_url) return item.media_url;
    const widths = (root.dataset.posterWidths || "").split(" ").map(Number).filter(Boolean);
    if (!widths.length) return item.kind === "photo" ? item.media_url : item.poster_url;
    const needed = ui.frame.getBoundingClientRect().width * (window.devicePixelRatio || 1);
    const width = widths.find(function (w) { return w >= needed; }) || widths[widths.length - 1];
    const url = new URL(item.poster_url, window.location.href);
    url.searchParams.set("w", String(width));
    return url.pathname + url.search;
  }

  // The first item's picture as the server drew it (the page's largest paint, with no script
  // to wait for): this item's stays where it is, under its clip until the clip's frames cover
  // it, or as the photo itself; any other item's goes.
  function takeFirstPicture(item) {
    const picture = ui.media.querySelector(".player-first-picture");
    if (!picture) return null;
    if (picture.dataset.item === item.id) return picture;
    picture.remove();
    return null;
  }

  function makeMedia(item, firstPicture) {
    let element;
    if (item.kind === "video") {
      element = el("video");
      element.playsInline = true;
      element.muted = true;
      element.preload = "auto";
      // Over the server's picture the clip needs no poster of its own (it would fetch it
      // again): it stays see-through until its first frame.
      if (firstPicture) {
        element.classList.add("over-picture");
        firstPicture.alt = ""; // the clip has the name now
      } else if (item.poster_url) {
        element.poster = stillUrl(item);
      }
      element.setAttribute("aria-label", item.alt_text || "Video story by " + nameOf(item.author));
      element.src = item.media_url;
    } else {
      element = firstPicture || el("img");
      element.alt = item.alt_text || "Photo story by " + nameOf(item.author);
      if (!firstPicture) element.src = stillUrl(item);
      element.decoding = "async";
    }
    element.classList.add("player-media-element");
    if (item.kind === "photo") element.classList.remove("player-first-picture"); // the photo itself now
    return element;
  }

  // The next item loads only once the one on screen is playing (a clip's first frames are on
  // screen, a photo has loaded): until then the network is all the current item's, and a person
  // who leaves after one item never downloads the rest. Its element is made ahead then and
  // handed over when shown.
  function preloadWhenPlaying(element) {
    const go = function () { if (state.element === element) preloadNext(); };
    if (element.tagName === "VIDEO") element.addEventListener("playing", go, { once: true });
    else if (element.complete) go();
    else element.addEventListener("load", go, { once: true });
  }

  function preloadNext() {
    const item = state.items[state.index + 1];
    if (!item || state.preloaded.has(item.id)) return;
    const element = makeMedia(item, null);
    ui.preload.appendChild(element);
    state.preloaded.set(item.id, element);
  }

  function dropPreloaded() {
    state.preloaded.forEach(function (element) { element.remove(); });
    state.preloaded.clear();
  }

  // --- Playback: one clock for progress and auto-advance ------------------------------------

  function duration(item) {
    if (item.kind === "video") {
      const real = state.element && state.element.duration;
      return isFinite(real) && real > 0 ? real : item.duration || player.photoSeconds;
    }
    return item.duration || player.photoSeconds;
  }

  function position(item = player.current()) {
    if (item.kind === "video") return state.element ? state.element.currentTime : 0;
    return state.elapsed + (state.pauses.size ? 0 : (performance.now() - state.shownAt) / 1000);
  }

  // The clock's beat, a few times a second: the bar moved on (for the eye and for assistive
  // technology) from where the item really is (a clip may have stalled), and a photo's end.
  const BEAT_MS = 250;

  function tick() {
    state.frame = 0;
    if (!state.element || state.completed) return;
    const item = player.current();
    const total = duration(item);
    const at = position();
    if (item.kind === "photo" && at >= total) {
      complete();
      return;
    }
    setProgress(state.index, at / total);
    if (!state.pauses.size) {
      const wait = item.kind === "photo" ? Math.min(BEAT_MS, (total - at) * 1000) : BEAT_MS;
      state.frame = window.setTimeout(tick, Math.max(0, wait));
    }
  }

  function playingMedia() {
    const video = state.element && state.element.tagName === "VIDEO" ? state.element : null;
    return [video, state.audio].filter(Boolean);
  }

  // Start (or go on with) the media and the clock; only when nothing holds playback.
  function run() {
    if (state.pauses.size || !state.element) return;
    state.shownAt = performance.now();
    playingMedia().forEach(function (media) {
      media.muted = state.muted;
      media.play().catch(function (error) {
        // Sound before any gesture: the browser says no, so go on muted.
        if (error.name === "NotAllowedError" && !media.muted) {
          setMuted(true, false);
          media.play().catch(function () {});
        }
      });
    });
    setProgress(state.index, position() / duration(player.current()));
    if (!state.frame) state.frame = window.setTimeout(tick, 0);
  }

  function showPauseState() {
    root.classList.toggle("is-paused", state.pauses.size > 0);
    const byUser = state.pauses.has("user");
    ui.pause.setAttribute("aria-pressed", String(byUser));
    ui.pause.setAttribute("aria-label", byUser ? "Play" : "Pause");
  }

  // Playback is held while any reason holds it: "user" (space, the pause button), "hold" (press
  // and hold), "sheet" (comments open), "hidden" (tab in the background), "busy" (loading).
  function hold(reason, on) {
    if (on === state.pauses.has(reason)) return;
    if (on) {
      if (!state.pauses.size && state.element) {
        if (player.current().kind === "photo") state.elapsed += (performance.now() - state.shownAt) / 1000;
        playingMedia().forEach(function (media) { media.pause(); });
        if (state.frame) window.clearTimeout(state.frame);
        state.frame = 0;
        setProgress(state.index, position() / duration(player.current()));
      }
      state.pauses.add(reason);
      if (state.element) player.watch.report(position(), { beacon: reason === "hidden" });
    } else {
      state.pauses.delete(reason);
      run();
    }
    showPauseState();
  }

  function complete() {
    if (state.completed) return;
    state.completed = true;
    setProgress(state.index, 1);
    player.recordView(player.current(), true);
    player.next();
  }

  function unplayable() {
    player.toast("This clip could not be played.");
    const item = player.current();
    window.setTimeout(function () { if (player.current() === item && !state.completed) player.next(); }, 1500);
  }

  function setMuted(muted, remember) {
    state.muted = muted;
    if (remember) localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
    playingMedia().forEach(function (media) { media.muted = muted; });
    ui.mute.setAttribute("aria-pressed", String(muted));
    ui.mute.setAttribute("aria-label", muted ? "Unmute" : "Mute");
  }

  return {
    buildProgress, setProgress, teardown, takeFirstPicture, makeMedia, preloadWhenPlaying, preloadNext, dropPreloaded, duration, position,
    playingMedia, run, showPauseState, hold, complete, unplayable, setMuted,
  };
}

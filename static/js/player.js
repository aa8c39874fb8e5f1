// The story player: one author's Story at a time, item by item, then on to the next author of the
// tray. The page brings the first author's items as JSON (no request before the first frame);
// the tray and the next authors come from the API. Every piece of user text goes in with
// textContent, never as markup.
//
// This module shows an author and an item; its parts share one `player` object (root, ui,
// state and what each part does): the stage and its clock (player-playback.js), moving through
// items and authors (player-nav.js), the rail (player-rail.js), the input (player-input.js),
// comments, the answer bar and the watch reports.
import { drawCaption } from "./lib/captions.js";
import { el, readJSON } from "./lib/dom.js";
import { drawOverlays } from "./lib/overlays.js";
import { avatar, nameOf, since } from "./lib/people.js";
import { createAnswerBar } from "./player-answer.js";
import { createComments } from "./player-comments.js";
import { bindInput } from "./player-input.js";
import { createNavigation } from "./player-nav.js";
import { MUTE_KEY, createPlayback } from "./player-playback.js";
import { createRail, timeLeft } from "./player-rail.js";
import { createWatchReporter } from "./player-watch.js";
import { renderStickers } from "./stickers.js";

const playerRoot = document.getElementById("player");
if (playerRoot) startPlayer(playerRoot);

function startPlayer(root) {
  // The server's settings (json_script "player-config"): how long a photo shows.
  const PHOTO_SECONDS = readJSON("player-config").photo_seconds;

  const $ = function (selector) { return root.querySelector(selector); };
  const ui = {
    stage: $(".player-stage"),
    frame: $(".player-frame"),
    media: $(".player-media"),
    overlays: $(".player-frame .overlay-layer"),
    stickers: $(".sticker-layer"),
    progress: $(".player-progress"),
    authorLink: $(".player-author"),
    avatar: $(".player-author .avatar"),
    name: $(".player-author-name"),
    time: $(".player-time"),
    caption: $(".player-caption"),
    follow: $(".player-follow"),
    insights: $(".player-insights"),
    pause: $(".player-pause"),
    mute: $(".player-mute"),
    close: $(".player-close"),
    prevZone: $(".player-zone-prev"),
    nextZone: $(".player-zone-next"),
    prevAuthor: $(".player-prev-author"),
    nextAuthor: $(".player-next-author"),
    like: $(".player-like"),
    likeCount: $(".player-like .rail-count"),
    comments: $(".player-comments"),
    commentCount: $(".player-comments .rail-count"),
    share: $(".player-share"),
    shareCount: $(".player-share .rail-count"),
    download: $(".player-download"),
    remove: $(".player-delete"),
    edit: $(".player-edit"),
    sheet: $(".player-sheet"),
    sheetList: $(".comment-list"),
    sheetEmpty: $(".comment-empty"),
    sheetMore: $(".comment-more"),
    sheetClose: $(".sheet-close"),
    commentForm: $(".comment-form"),
    commentInput: $(".comment-form textarea"),
    commentError: $(".comment-error"),
    toast: $(".player-toast"),
    preload: $(".player-preload"),
    sound: $(".player-sound"),
    soundLink: $(".player-sound a"),
    useSound: $(".player-use-sound"),
    replyForm: $(".player-reply"),
    replyInput: $(".player-reply input"),
    reactions: $(".player-reactions"),
    report: $(".player-report"),
  };
  const viewer = root.dataset.viewer || "";
  const signedIn = viewer !== "";

  const state = {
    username: root.dataset.username,
    items: JSON.parse(document.getElementById("player-items").textContent),
    index: 0,
    tray: null, // usernames in tray order, fetched once when first needed
    trayLoad: null, // the promise of that first page
    pauses: new Set(), // why playback is held: "user", "hold", "sheet", "hidden", "busy"
    muted: localStorage.getItem(MUTE_KEY) !== "0",
    element: null, // the <video> or <img> on stage
    audio: null, // a photo's sound
    shownAt: 0, // photos: when the current run of the timer started
    elapsed: 0, // photos: seconds shown before the current run
    completed: false,
    viewsSent: new Set(),
    preloaded: new Map(), // story id -> element made ahead of time
    trayNext: null, // the tray's next page, fetched when the player runs past the loaded one
    toastTimer: 0,
    frame: 0,
  };

  function toast(text) {
    ui.toast.textContent = text;
    ui.toast.classList.add("show");
    window.clearTimeout(state.toastTimer);
    state.toastTimer = window.setTimeout(function () { ui.toast.classList.remove("show"); }, 2200);
  }

  function current() {
    return state.items[state.index];
  }

  // What the parts share; each part adds what it does (player.hold(), player.next(), ...).
  const player = { root, ui, state, viewer, signedIn, photoSeconds: PHOTO_SECONDS, toast, current, showAuthor, showItem };
  Object.assign(player, createPlayback(player), createNavigation(player), createRail(player));

  // --- Showing an author and an item --------------------------------------------------------

  function showAuthor(username, items, startId) {
    state.username = username;
    state.items = items;
    const person = items[0].author;
    ui.authorLink.href = "/@" + encodeURIComponent(username);
    ui.avatar.replaceWith((ui.avatar = avatar(person, "sm", false)));
    ui.name.textContent = nameOf(person);
    player.updateFollow(username);
    if (!root.dataset.highlight) root.setAttribute("aria-label", nameOf(person) + "'s story");
    root.querySelector(".player-title").textContent = root.getAttribute("aria-label");
    if (!root.dataset.highlight) document.title = nameOf(person) + "'s story · Stories";
    player.buildProgress();
    let start = items.findIndex(function (item) { return item.id === startId; });
    if (start < 0) start = items.findIndex(function (item) { return !item.seen_by_me; });
    showItem(Math.max(0, start));
    player.updateAuthorArrows();
  }

  function showItem(i) {
    player.teardown();
    state.index = i;
    state.completed = false;
    state.elapsed = 0;
    state.pauses.forEach(function (reason) {
      if (reason === "user" || reason === "hold" || reason === "loading" || reason.startsWith("ext:")) {
        state.pauses.delete(reason);
      }
    });
    const item = current();
    for (let j = 0; j < state.items.length; j += 1) player.setProgress(j, j < i ? 1 : 0);
    ui.stage.dataset.storyId = item.id;
    ui.stage.dataset.kind = item.kind;
    // The address names the item on screen: a reload, a shared address or a trip through the
    // login page comes back to it.
    const base = root.dataset.address || "/@" + encodeURIComponent(state.username) + "/story";
    const address = base + "?item=" + encodeURIComponent(item.id);
    if (window.location.pathname + window.location.search !== address) window.history.replaceState(null, "", address);

    const firstPicture = player.takeFirstPicture(item);
    const element = state.preloaded.get(item.id) || player.makeMedia(item, firstPicture);
    state.preloaded.delete(item.id);
    if (element !== firstPicture) ui.media.appendChild(element);
    state.element = element;
    if (item.kind === "video") {
      element.muted = state.muted;
      element.currentTime = 0;
      element.addEventListener("ended", player.complete);
      element.addEventListener("error", player.unplayable);
    } else {
      if (item.sound && item.sound.audio_url) {
        // The photo's sound plays for as long as the photo shows.
        state.audio = el("audio", "player-sound");
        state.audio.src = item.sound.audio_url;
        state.audio.loop = true;
        state.audio.muted = state.muted;
        ui.media.appendChild(state.audio);
      }
      // A photo's time starts when it is on screen, not while it is still downloading.
      if (!element.complete) {
        state.pauses.add("loading");
        const loaded = function () { if (state.element === element) player.hold("loading", false); };
        element.addEventListener("load", loaded, { once: true });
        element.addEventListener("error", loaded, { once: true });
      }
    }
    drawOverlays(ui.overlays, item.overlays);
    player.watch.start(item);
    drawCaption(ui.caption, item.caption, item.caption_entities);
    ui.caption.hidden = !item.caption;
    ui.time.textContent = since(item.published_at || item.created_at) + timeLeft(item.expires_at);
    ui.time.dateTime = item.published_at || item.created_at;
    ui.time.removeAttribute("title"); // the tooltip is made for this item when wanted (below)
    player.updateRail(item);
    ui.mute.hidden = item.kind === "photo" && !state.audio;
    player.showPauseState();
    player.run();
    player.recordView(item, false);
    player.preloadWhenPlaying(element);
    renderStickers(ui.stickers, item, root);
  }

  // --- The other parts, and the input -------------------------------------------------------

  player.comments = createComments({ root, ui, signedIn, viewer, current, hold: player.hold, toast, updateRail: player.updateRail });
  player.watch = createWatchReporter();
  const reactions = readJSON("player-reactions", []);
  player.answers = createAnswerBar({ root, ui, viewer, reactions, hold: player.hold, toast, current });
  bindInput(player);
  // The full date as a tooltip, made when it is wanted: formatting a date in the person's locale
  // loads the browser's locale data, a long task on a slow phone while the first item starts.
  const dateTitle = function () { ui.time.title = new Date(ui.time.dateTime).toLocaleString(); };
  ui.time.addEventListener("pointerenter", dateTitle);
  ui.time.addEventListener("focus", dateTitle);

  // --- Start ----------------------------------------------------------------------------------

  player.setMuted(state.muted, false);
  if (document.visibilityState === "hidden") state.pauses.add("hidden");
  root.focus({ preventScroll: true }); // no layout forced before the first frame
  player.loadTray();
  showAuthor(state.username, state.items, root.dataset.startItem || null);
  player.afterSignIn();
}

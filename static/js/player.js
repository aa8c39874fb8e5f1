// The story player: one author's Story at a time, item by item, then on to the next author of the
// tray. The page brings the first author's items as JSON (no request before the first frame);
// the tray and the next authors come from the API. Every piece of user text goes in with
// textContent, never as markup.
import { drawCaption } from "./lib/captions.js";
import { el, readJSON } from "./lib/dom.js";
import { api } from "./lib/http.js";
import { drawOverlays } from "./lib/overlays.js";
import { avatar, count, nameOf, since } from "./lib/people.js";
import { signInFirst, takeAfterSignIn } from "./lib/signin.js";
import { createAnswerBar } from "./player-answer.js";
import { createComments } from "./player-comments.js";
import { createWatchReporter } from "./player-watch.js";
import { renderStickers } from "./stickers.js";

const playerRoot = document.getElementById("player");
if (playerRoot) startPlayer(playerRoot);

function startPlayer(root) {
  // The server's settings (json_script "player-config"): how long a photo shows.
  const PHOTO_SECONDS = readJSON("player-config").photo_seconds;
  const HOLD_MS = 250;
  const MUTE_KEY = "stories:muted";

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

  // --- Small helpers ------------------------------------------------------------------------

  function toast(text) {
    ui.toast.textContent = text;
    ui.toast.classList.add("show");
    window.clearTimeout(state.toastTimer);
    state.toastTimer = window.setTimeout(function () { ui.toast.classList.remove("show"); }, 2200);
  }

  function current() {
    return state.items[state.index];
  }

  // " · 5h left", " · 35m left", " · 2d left" (stories/templatetags/story_time.py says the same).
  function timeLeft(expiresAt) {
    const seconds = expiresAt ? (new Date(expiresAt) - Date.now()) / 1000 : 0;
    if (!(seconds > 0)) return "";
    if (seconds >= 48 * 3600) return " · " + Math.floor(seconds / 86400) + "d left";
    if (seconds >= 3600) return " · " + Math.floor(seconds / 3600) + "h left";
    return " · " + Math.max(1, Math.floor(seconds / 60)) + "m left";
  }

  // --- Showing an author and an item --------------------------------------------------------

  function showAuthor(username, items, startId) {
    state.username = username;
    state.items = items;
    const person = items[0].author;
    ui.authorLink.href = "/@" + encodeURIComponent(username);
    ui.avatar.replaceWith((ui.avatar = avatar(person, "sm", false)));
    ui.name.textContent = nameOf(person);
    updateFollow(username);
    if (!root.dataset.highlight) root.setAttribute("aria-label", nameOf(person) + "'s story");
    root.querySelector(".player-title").textContent = root.getAttribute("aria-label");
    if (!root.dataset.highlight) document.title = nameOf(person) + "'s story · Stories";
    buildProgress();
    let start = items.findIndex(function (item) { return item.id === startId; });
    if (start < 0) start = items.findIndex(function (item) { return !item.seen_by_me; });
    showItem(Math.max(0, start));
    updateAuthorArrows();
  }

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

  function setProgress(i, fraction) {
    const bar = ui.progress.children[i];
    if (!bar) return;
    const value = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
    bar.firstChild.style.transform = "scaleX(" + Math.min(1, Math.max(0, fraction)) + ")";
    if (bar.getAttribute("aria-valuenow") !== String(value)) bar.setAttribute("aria-valuenow", String(value));
  }

  function teardown() {
    // The view on screen ends here (next, previous, another author, close): how far it got.
    // (state.items may already be the next author's: the item on stage is the watched one.)
    const shown = watch.item();
    if (state.element && shown) watch.end(state.completed ? duration(shown) : position(shown));
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
    ui.media.replaceChildren();
    ui.overlays.replaceChildren();
  }

  function showItem(i) {
    teardown();
    state.index = i;
    state.completed = false;
    state.elapsed = 0;
    state.pauses.forEach(function (reason) {
      if (reason === "user" || reason === "hold" || reason === "loading" || reason.startsWith("ext:")) {
        state.pauses.delete(reason);
      }
    });
    const item = current();
    for (let j = 0; j < state.items.length; j += 1) setProgress(j, j < i ? 1 : 0);
    ui.stage.dataset.storyId = item.id;
    ui.stage.dataset.kind = item.kind;
    // The address names the item on screen: a reload, a shared address or a trip through the
    // login page comes back to it.
    const base = root.dataset.address || "/@" + encodeURIComponent(state.username) + "/story";
    const address = base + "?item=" + encodeURIComponent(item.id);
    if (window.location.pathname + window.location.search !== address) window.history.replaceState(null, "", address);

    const element = state.preloaded.get(item.id) || makeMedia(item);
    state.preloaded.delete(item.id);
    ui.media.appendChild(element);
    state.element = element;
    if (item.kind === "video") {
      element.muted = state.muted;
      element.currentTime = 0;
      element.addEventListener("ended", complete);
      element.addEventListener("error", unplayable);
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
        const loaded = function () { if (state.element === element) hold("loading", false); };
        element.addEventListener("load", loaded, { once: true });
        element.addEventListener("error", loaded, { once: true });
      }
    }
    drawOverlays(ui.overlays, item.overlays);
    watch.start(item);
    drawCaption(ui.caption, item.caption, item.caption_entities);
    ui.caption.hidden = !item.caption;
    ui.time.textContent = since(item.published_at || item.created_at) + timeLeft(item.expires_at);
    ui.time.dateTime = item.published_at || item.created_at;
    ui.time.title = new Date(item.published_at || item.created_at).toLocaleString();
    updateRail(item);
    ui.mute.hidden = item.kind === "photo" && !state.audio;
    showPauseState();
    run();
    recordView(item, false);
    preloadNext();
    renderStickers(ui.stickers, item, root);
  }

  function makeMedia(item) {
    let element;
    if (item.kind === "video") {
      element = el("video");
      element.playsInline = true;
      element.muted = true;
      element.preload = "auto";
      if (item.poster_url) element.poster = item.poster_url;
      element.setAttribute("aria-label", item.alt_text || "Video story by " + nameOf(item.author));
      element.src = item.media_url;
    } else {
      element = el("img");
      element.alt = item.alt_text || "Photo story by " + nameOf(item.author);
      element.src = item.media_url;
      element.decoding = "async";
    }
    element.className = "player-media-element";
    return element;
  }

  // The next item starts loading now: its element is made ahead and handed over when shown.
  function preloadNext() {
    const item = state.items[state.index + 1];
    if (!item || state.preloaded.has(item.id)) return;
    const element = makeMedia(item);
    ui.preload.appendChild(element);
    state.preloaded.set(item.id, element);
    const image = item.kind === "video" ? item.poster_url : item.media_url;
    if (image) {
      const hint = document.createElement("link");
      hint.rel = "preload";
      hint.as = "image";
      hint.href = image;
      document.head.appendChild(hint);
    }
  }

  function dropPreloaded() {
    state.preloaded.forEach(function (element) { element.remove(); });
    state.preloaded.clear();
  }

  // --- Playback: one clock for progress and auto-advance ------------------------------------

  function duration(item) {
    if (item.kind === "video") {
      const real = state.element && state.element.duration;
      return isFinite(real) && real > 0 ? real : item.duration || PHOTO_SECONDS;
    }
    return item.duration || PHOTO_SECONDS;
  }

  function position(item = current()) {
    if (item.kind === "video") return state.element ? state.element.currentTime : 0;
    return state.elapsed + (state.pauses.size ? 0 : (performance.now() - state.shownAt) / 1000);
  }

  function tick() {
    state.frame = 0;
    if (!state.element || state.completed) return;
    const item = current();
    const fraction = position() / duration(item);
    setProgress(state.index, fraction);
    if (item.kind === "photo" && fraction >= 1) {
      complete();
      return;
    }
    if (!state.pauses.size) state.frame = window.requestAnimationFrame(tick);
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
    if (!state.frame) state.frame = window.requestAnimationFrame(tick);
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
        if (current().kind === "photo") state.elapsed += (performance.now() - state.shownAt) / 1000;
        playingMedia().forEach(function (media) { media.pause(); });
        if (state.frame) window.cancelAnimationFrame(state.frame);
        state.frame = 0;
        setProgress(state.index, position() / duration(current()));
      }
      state.pauses.add(reason);
      if (state.element) watch.report(position(), { beacon: reason === "hidden" });
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
    recordView(current(), true);
    next();
  }

  function unplayable() {
    toast("This clip could not be played.");
    const item = current();
    window.setTimeout(function () { if (current() === item && !state.completed) next(); }, 1500);
  }

  function setMuted(muted, remember) {
    state.muted = muted;
    if (remember) localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
    playingMedia().forEach(function (media) { media.muted = muted; });
    ui.mute.setAttribute("aria-pressed", String(muted));
    ui.mute.setAttribute("aria-label", muted ? "Unmute" : "Mute");
  }

  // --- Moving through items and authors ----------------------------------------------------

  function next() {
    if (state.index < state.items.length - 1) showItem(state.index + 1);
    else goToAuthor(1);
  }

  function previous() {
    if (state.index > 0) showItem(state.index - 1);
    else if (neighbour(-1)) goToAuthor(-1);
    else showItem(0);
  }

  // The tray in the order the person saw it: asked for once, before this player records any
  // view (a view can move an author among the seen ones, to the end), then page by page.
  function loadTray() {
    if (!state.trayLoad) {
      state.trayLoad = api("feed/tray/").then(function (body) {
        state.tray = body.results.map(function (entry) { return entry.author.username; });
        state.trayNext = body.next;
      }).catch(function () {
        state.tray = [];
      }).then(function () {
        updateAuthorArrows();
        return state.tray;
      });
    }
    return state.trayLoad;
  }

  function moreTray() {
    const url = state.trayNext;
    state.trayNext = null;
    return api(url).then(function (body) {
      body.results.forEach(function (entry) {
        if (state.tray.indexOf(entry.author.username) < 0) state.tray.push(entry.author.username);
      });
      state.trayNext = body.next;
    }).catch(function () {});
  }

  // The author `step` places away, with more of the tray loaded while the loaded part cannot
  // tell (this author is not in it yet, or is its last one).
  function findNeighbour(step) {
    return loadTray().then(function () {
      const placed = state.tray.indexOf(state.username) >= 0;
      if (state.trayNext && (!placed || (step > 0 && !neighbour(step)))) {
        return moreTray().then(function () { return findNeighbour(step); });
      }
      return neighbour(step);
    });
  }

  // The author `step` places away in tray order (from the first one when this author is not in
  // the tray), or undefined.
  function neighbour(step) {
    const tray = state.tray || [];
    const at = tray.indexOf(state.username);
    if (at < 0) return step > 0 ? tray.find(function (name) { return name !== state.username; }) : undefined;
    return tray[at + step];
  }

  // After the last author the player closes; before the first it stays.
  function goToAuthor(step) {
    // A highlight (data-highlight) plays one collection: past its end the player closes.
    if (root.dataset.highlight) return step > 0 ? close() : showItem(0);
    hold("busy", true);
    findNeighbour(step).then(function (target) {
      if (!target) {
        if (step > 0) return close();
        return hold("busy", false);
      }
      return api("users/" + encodeURIComponent(target) + "/stories/").then(function (body) {
        if (!body.results.length) {
          state.tray.splice(state.tray.indexOf(target), 1);
          return goToAuthor(step);
        }
        state.pauses.delete("busy");
        dropPreloaded();
        showAuthor(target, body.results, null);
      });
    }).catch(function (error) {
      hold("busy", false);
      toast(error.message);
    });
  }

  function updateAuthorArrows() {
    ui.prevAuthor.disabled = Boolean(root.dataset.highlight) || !neighbour(-1);
    ui.nextAuthor.disabled = Boolean(root.dataset.highlight) || (!neighbour(1) && !state.trayNext);
  }

  function close() {
    teardown();
    // Back to the page that opened the player; not to another player, nor to the login page
    // (which would send a signed-in person straight back here).
    const referrer = document.referrer ? new URL(document.referrer) : null;
    const cameFromHere = referrer && referrer.origin === window.location.origin;
    if (cameFromHere && !/\/story$|^\/accounts\//.test(referrer.pathname) && window.history.length > 1) {
      window.history.back();
    } else {
      window.location.href = root.dataset.homeUrl;
    }
  }

  // --- Views --------------------------------------------------------------------------------

  // An impression when shown, "completed" when it played to the end; never who viewed.
  function recordView(item, completed) {
    if (root.dataset.highlight === "archive") return; // the author's own archive: nothing to count
    const key = item.id + (completed ? ":done" : ":shown");
    if (state.viewsSent.has(key)) return;
    state.viewsSent.add(key);
    item.seen_by_me = true;
    // Sent once the tray has answered, so this view cannot reorder the tray the player follows.
    loadTray().then(function () {
      return api("stories/" + item.id + "/views/", { method: "POST", json: { completed: completed, impression: !completed } });
    }).catch(function () {
      state.viewsSent.delete(key);
    });
  }

  // --- The rail: like, comments, share, download, delete -----------------------------------

  function railCount(n, one, many) {
    return count(n) + " " + (n === 1 ? one : many);
  }

  function updateRail(item) {
    ui.like.setAttribute("aria-pressed", String(Boolean(item.liked_by_me)));
    // Each name holds the count the button shows ("Like, 1.2K likes"), as speech input and
    // axe's label-in-name rule expect.
    ui.like.setAttribute("aria-label", (item.liked_by_me ? "Unlike" : "Like") + ", " + railCount(item.like_count, "like", "likes"));
    ui.likeCount.textContent = count(item.like_count);
    ui.comments.hidden = !item.allow_comments;
    ui.commentCount.textContent = count(item.comment_count);
    ui.comments.setAttribute("aria-label", "Comments, " + railCount(item.comment_count, "comment", "comments"));
    ui.shareCount.textContent = count(item.share_count);
    ui.share.setAttribute("aria-label", "Share, " + railCount(item.share_count, "share", "shares"));
    ui.download.hidden = !item.download_url;
    if (item.download_url) ui.download.href = item.download_url;
    ui.remove.hidden = item.author.username !== viewer;
    // The author edits a live item (an archived one is kept as it was).
    ui.edit.hidden = ui.remove.hidden || !timeLeft(item.expires_at);
    ui.edit.href = "/stories/" + encodeURIComponent(item.id) + "/edit/?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    answers.update(item);
    showInsights(item);
  }

  // --- Follow from the story, and the author's own figures ------------------------------------

  const following = new Map(); // username -> is_following, asked once per author
  const figures = new Map(); // item id -> the author's analytics, fetched once per item

  function updateFollow(username) {
    ui.follow.hidden = true;
    if (!signedIn || username === viewer) return;
    const known = following.get(username);
    if (known !== undefined) {
      ui.follow.hidden = known;
      return;
    }
    api("users/" + encodeURIComponent(username) + "/").then(function (profile) {
      following.set(username, Boolean(profile.is_following));
      if (state.username === username) ui.follow.hidden = Boolean(profile.is_following);
    }).catch(function () {});
  }

  function followFromStory() {
    const item = current();
    const username = item.author.username;
    ui.follow.disabled = true;
    api("users/" + encodeURIComponent(username) + "/follow/", { method: "POST", json: { from_story: item.id } })
      .then(function () {
        following.set(username, true);
        ui.follow.hidden = true;
        toast("Following " + nameOf(item.author));
      })
      .catch(function (error) { toast(error.message); })
      .then(function () { ui.follow.disabled = false; });
  }

  // Only the author gets figures (the API answers 404 to anyone else); never who viewed.
  function showInsights(item) {
    ui.insights.hidden = true;
    if (item.author.username !== viewer) return;
    const shown = function (data) {
      if (current() !== item) return;
      const rate = Math.round((data.completion_rate || 0) * 100);
      ui.insights.textContent = count(data.impressions) + " views · " + count(data.reach) + " people · " + rate + "% watched to the end";
      ui.insights.href = "/analytics/stories/" + item.id + "/";
      ui.insights.hidden = false;
    };
    if (figures.has(item.id)) return shown(figures.get(item.id));
    api("analytics/stories/" + item.id + "/").then(function (data) {
      figures.set(item.id, data);
      shown(data);
    }).catch(function () {});
  }

  function toggleLike() {
    // The login page brings the person back to this very item (the address names it, see
    // showItem); the like is done on return.
    if (!signedIn) return signInFirst(root, { action: "like", item: current().id });
    const item = current();
    const liked = !item.liked_by_me;
    item.liked_by_me = liked;
    item.like_count = Math.max(0, item.like_count + (liked ? 1 : -1));
    updateRail(item);
    ui.like.classList.toggle("pop", liked);
    // Quick taps: one request at a time per item, in order, so the server ends where the button
    // shows; only the answer to the last tap may set the count (an earlier one is out of date).
    const tap = (item.likeTaps = (item.likeTaps || 0) + 1);
    const send = function () { return api("stories/" + item.id + "/like/", { method: liked ? "POST" : "DELETE" }); };
    item.likeQueue = (item.likeQueue || Promise.resolve()).catch(function () {}).then(send);
    item.likeQueue.then(function (body) {
      if (tap !== item.likeTaps || !body || typeof body.like_count !== "number") return;
      item.like_count = body.like_count;
      if (item === current()) updateRail(item);
    }).catch(function (error) {
      if (tap !== item.likeTaps) return;
      item.liked_by_me = !liked;
      item.like_count = Math.max(0, item.like_count + (liked ? -1 : 1));
      if (item === current()) updateRail(item);
      toast(error.message);
    });
  }

  // What the person set out to do before the login page (signInFirst), done on coming back to
  // the same item, once; kept in this tab only, so no link can make anyone like anything.
  function afterSignIn() {
    const after = takeAfterSignIn();
    if (!signedIn || !after || after.item !== current().id) return;
    if (after.action === "like" && !current().liked_by_me) toggleLike();
  }

  function share() {
    const item = current();
    const url = window.location.origin + "/stories/" + item.id + "/";
    api("stories/" + item.id + "/share/", { method: "POST" }).then(function (body) {
      if (body && typeof body.share_count === "number") {
        item.share_count = body.share_count;
        if (item === current()) updateRail(item);
      }
    }).catch(function () {});
    if (navigator.share) {
      hold("sheet", true);
      navigator.share({ title: nameOf(item.author) + "'s story", url: url })
        .catch(function () {})
        .then(function () { hold("sheet", false); });
      return;
    }
    copy(url).then(
      function () { toast("Link copied"); },
      function () { toast(url); }
    );
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      const area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      root.appendChild(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      (ok ? resolve : reject)();
    });
  }

  function removeItem() {
    const item = current();
    if (!window.confirm("Delete this story? Its media is removed at once.")) return;
    hold("busy", true);
    api("stories/" + item.id + "/", { method: "DELETE" }).then(function () {
      hold("busy", false);
      state.items.splice(state.index, 1);
      toast("Story deleted.");
      if (!state.items.length) return close();
      buildProgress();
      showItem(Math.min(state.index, state.items.length - 1));
    }).catch(function (error) {
      hold("busy", false);
      toast(error.message);
    });
  }

  // --- Input: taps, press and hold, keys, focus ---------------------------------------------

  const comments = createComments({ root, ui, signedIn, viewer, current, hold, toast, updateRail });
  const watch = createWatchReporter();
  const reactions = readJSON("player-reactions", []);
  const answers = createAnswerBar({ root, ui, viewer, reactions, hold, toast, current });

  let holdTimer = 0;
  let held = false;

  function zonePress(event) {
    if (event.button && event.button !== 0) return;
    held = false;
    window.clearTimeout(holdTimer);
    holdTimer = window.setTimeout(function () {
      held = true;
      hold("hold", true);
    }, HOLD_MS);
  }

  function zoneRelease() {
    window.clearTimeout(holdTimer);
    if (held) hold("hold", false);
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
      if (zone === ui.prevZone) previous();
      else next();
    });
  });

  ui.pause.addEventListener("click", function () { hold("user", !state.pauses.has("user")); });
  ui.mute.addEventListener("click", function () {
    setMuted(!state.muted, true);
    if (!state.pauses.size) playingMedia().forEach(function (media) { media.play().catch(function () {}); });
  });
  ui.close.addEventListener("click", close);
  ui.prevAuthor.addEventListener("click", function () { goToAuthor(-1); });
  ui.nextAuthor.addEventListener("click", function () { goToAuthor(1); });
  ui.follow.addEventListener("click", followFromStory);
  ui.like.addEventListener("click", toggleLike);
  ui.like.addEventListener("animationend", function () { ui.like.classList.remove("pop"); });
  ui.share.addEventListener("click", share);
  ui.remove.addEventListener("click", removeItem);

  function focusables(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll("a[href], button:not([disabled]), textarea, input, [tabindex='0']"),
      function (node) { return node.getClientRects().length > 0; }
    );
  }

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
      else close();
      return;
    }
    if (typing) return; // keys typed into a field are text, not commands
    if (sheetOpen || event.altKey || event.ctrlKey || event.metaKey) return;
    const onZone = target === ui.prevZone || target === ui.nextZone || target === root || target === document.body;
    if (event.key === "ArrowRight") {
      event.preventDefault();
      next();
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      previous();
    } else if (event.key === " " && onZone) {
      event.preventDefault();
      hold("user", !state.pauses.has("user"));
    }
  });

  // Other scripts on the page (the stickers) hold playback too, e.g. while the viewer types an
  // answer: {reason, on} on a "story:hold" event. Their holds end when the item changes.
  root.addEventListener("story:hold", function (event) {
    const detail = event.detail || {};
    hold("ext:" + String(detail.reason || "other"), Boolean(detail.on));
  });

  document.addEventListener("visibilitychange", function () {
    hold("hidden", document.visibilityState === "hidden");
  });
  // Leaving the page without hiding it first (some browsers): the view's last report.
  window.addEventListener("pagehide", function () {
    if (state.element) watch.report(position(), { beacon: true });
  });

  // --- Start ----------------------------------------------------------------------------------

  setMuted(state.muted, false);
  if (document.visibilityState === "hidden") state.pauses.add("hidden");
  root.focus();
  loadTray();
  showAuthor(state.username, state.items, root.dataset.startItem || null);
  afterSignIn();
}

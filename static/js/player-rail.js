// The player's rail and the author's line: like, comments, share, download, edit and delete,
// following the author from the story, and the author's own figures. Counts update on the spot
// and settle on what the server answers.
import { el } from "./lib/dom.js";
import { api } from "./lib/http.js";
import { count, nameOf } from "./lib/people.js";
import { signInFirst, takeAfterSignIn } from "./lib/signin.js";

// " · 5h left", " · 35m left", " · 2d left" (stories/templatetags/story_time.py says the same).
export function timeLeft(expiresAt) {
  const seconds = expiresAt ? (new Date(expiresAt) - Date.now()) / 1000 : 0;
  if (!(seconds > 0)) return "";
  if (seconds >= 48 * 3600) return " · " + Math.floor(seconds / 86400) + "d left";
  if (seconds >= 3600) return " · " + Math.floor(seconds / 3600) + "h left";
  return " · " + Math.max(1, Math.floor(seconds / 60)) + "m left";
}

function railCount(n, one, many) {
  return count(n) + " " + (n === 1 ? one : many);
}

// `player` is what the rail needs from the rest of the player (player.js): root, ui, state,
// viewer, signedIn, answers, current(), toast(text), hold(reason, on), close(),
// buildProgress() and showItem(i).
export function createRail(player) {
  const { root, ui, state, viewer, signedIn, current, toast } = player;

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
    player.answers.update(item);
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

  // --- Like, share, delete ------------------------------------------------------------------

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
      player.hold("sheet", true);
      navigator.share({ title: nameOf(item.author) + "'s story", url: url })
        .catch(function () {})
        .then(function () { player.hold("sheet", false); });
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
    player.hold("busy", true);
    api("stories/" + item.id + "/", { method: "DELETE" }).then(function () {
      player.hold("busy", false);
      state.items.splice(state.index, 1);
      toast("Story deleted.");
      if (!state.items.length) return player.close();
      player.buildProgress();
      player.showItem(Math.min(state.index, state.items.length - 1));
    }).catch(function (error) {
      player.hold("busy", false);
      toast(error.message);
    });
  }

  return { updateRail, updateFollow, followFromStory, toggleLike, afterSignIn, share, removeItem };
}

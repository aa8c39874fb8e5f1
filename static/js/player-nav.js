// Moving through the player: item to item, author to author in the order of the person's tray
// (fetched from the API page by page), closing back to where the player was opened, and the views
// it records on the way.
import { api } from "./lib/http.js";

// `player` is what moving needs from the rest of the player (player.js): root, ui, state,
// showItem(i), showAuthor(username, items, startId), hold(reason, on), teardown(),
// dropPreloaded() and toast(text).
export function createNavigation(player) {
  const { root, ui, state } = player;

  function next() {
    if (state.index < state.items.length - 1) player.showItem(state.index + 1);
    else goToAuthor(1);
  }

  function previous() {
    if (state.index > 0) player.showItem(state.index - 1);
    else if (neighbour(-1)) goToAuthor(-1);
    else player.showItem(0);
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
    if (root.dataset.highlight) return step > 0 ? close() : player.showItem(0);
    player.hold("busy", true);
    findNeighbour(step).then(function (target) {
      if (!target) {
        if (step > 0) return close();
        return player.hold("busy", false);
      }
      return api("users/" + encodeURIComponent(target) + "/stories/").then(function (body) {
        if (!body.results.length) {
          state.tray.splice(state.tray.indexOf(target), 1);
          return goToAuthor(step);
        }
        state.pauses.delete("busy");
        player.dropPreloaded();
        player.showAuthor(target, body.results, null);
      });
    }).catch(function (error) {
      player.hold("busy", false);
      player.toast(error.message);
    });
  }

  function updateAuthorArrows() {
    ui.prevAuthor.disabled = Boolean(root.dataset.highlight) || !neighbour(-1);
    ui.nextAuthor.disabled = Boolean(root.dataset.highlight) || (!neighbour(1) && !state.trayNext);
  }

  function close() {
    player.teardown();
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

  return { next, previous, loadTray, goToAuthor, updateAuthorArrows, close, recordView };
}

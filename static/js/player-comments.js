// The player's comments sheet: the story's comments page by page, posting one, deleting one's
// own. Playback holds while the sheet is open. Every piece of user text goes in with textContent.
import { el } from "./lib/dom.js";
import { api } from "./lib/http.js";
import { avatar, nameOf, since } from "./lib/people.js";

// `player` is what the sheet needs from the player: root, ui (the player's elements), signedIn,
// current() (the item on screen), hold(reason, on), toast(text) and updateRail(item).
export function createComments(player) {
  const { root, ui, signedIn, viewer, current, hold, toast, updateRail } = player;
  let nextPage = null; // the API's `next` link of the comments shown
  let posting = false;
  // The ids in the list: a comment posted while the first page is still loading comes back in
  // that page too (and an earlier opening's page may land late), so each id is shown once.
  let shown = new Set();

  function show(comment, item) {
    if (shown.has(comment.id)) return;
    shown.add(comment.id);
    ui.sheetList.appendChild(commentRow(comment, item));
  }

  function open() {
    const item = current();
    hold("sheet", true);
    ui.sheet.hidden = false;
    root.classList.add("sheet-open");
    ui.sheetList.replaceChildren();
    shown = new Set();
    ui.sheetEmpty.hidden = true;
    ui.sheetMore.hidden = true;
    ui.commentError.textContent = "";
    ui.commentForm.hidden = !signedIn;
    const login = ui.sheet.querySelector(".comment-login");
    if (login) login.search = "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    load("stories/" + item.id + "/comments/", item);
    (signedIn ? ui.commentInput : ui.sheetClose).focus();
  }

  function close() {
    ui.sheet.hidden = true;
    root.classList.remove("sheet-open");
    hold("sheet", false);
    ui.comments.focus();
  }

  function load(url, item) {
    ui.sheetMore.hidden = true;
    api(url).then(function (body) {
      if (item !== current()) return;
      body.results.forEach(function (comment) { show(comment, item); });
      nextPage = body.next;
      ui.sheetMore.hidden = !body.next;
      ui.sheetEmpty.hidden = ui.sheetList.children.length > 0;
    }).catch(function (error) {
      ui.commentError.textContent = error.message;
    });
  }

  function commentRow(comment, item) {
    const li = el("li", "comment");
    li.dataset.commentId = comment.id;
    const who = comment.author;
    const link = el("a", "comment-avatar");
    link.href = "/@" + encodeURIComponent(who.username) + (who.has_active_story ? "/story" : "");
    link.setAttribute("aria-label", who.has_active_story ? "Watch " + nameOf(who) + "'s story" : nameOf(who));
    link.appendChild(avatar(who, "sm", who.has_active_story));
    const body = el("div", "comment-body");
    const head = el("p", "comment-head");
    const name = el("a", "comment-name", nameOf(who));
    name.href = "/@" + encodeURIComponent(who.username);
    head.append(name, el("span", "muted small", " · " + since(comment.created_at)));
    body.append(head, el("p", "comment-text", comment.text));
    li.append(link, body);
    if (comment.can_delete) {
      const button = el("button", "comment-delete", "Delete");
      button.type = "button";
      button.setAttribute("aria-label", "Delete comment by " + nameOf(who));
      button.addEventListener("click", function () {
        button.disabled = true;
        api("comments/" + comment.id + "/", { method: "DELETE" }).then(function () {
          li.remove();
          shown.delete(comment.id);
          item.comment_count = Math.max(0, item.comment_count - 1);
          updateRail(item);
          ui.sheetEmpty.hidden = ui.sheetList.children.length > 0;
          ui.commentInput.focus();
        }).catch(function (error) {
          button.disabled = false;
          toast(error.message);
        });
      });
      li.appendChild(button);
    }
    if (who.username !== viewer) {
      const report = el("a", "comment-report", "Report");
      report.href = "/report/comment/" + encodeURIComponent(comment.id) + "/";
      report.setAttribute("aria-label", "Report comment by " + nameOf(who));
      li.appendChild(report);
    }
    return li;
  }

  // One comment at a time: Enter pressed twice, like a double click on Post, sends it once.
  function post(event) {
    event.preventDefault();
    if (posting) return;
    const item = current();
    const text = ui.commentInput.value.trim();
    if (!text) return;
    const button = ui.commentForm.querySelector("button[type=submit]");
    posting = true;
    button.disabled = true;
    ui.commentError.textContent = "";
    api("stories/" + item.id + "/comments/", { method: "POST", json: { text: text } }).then(function (comment) {
      ui.commentInput.value = "";
      show(comment, item);
      ui.sheetEmpty.hidden = true;
      item.comment_count += 1;
      updateRail(item);
      ui.sheetList.lastChild.scrollIntoView({ block: "nearest" });
    }).catch(function (error) {
      ui.commentError.textContent = error.message;
    }).then(function () {
      posting = false;
      button.disabled = false;
    });
  }

  ui.comments.addEventListener("click", open);
  ui.sheetClose.addEventListener("click", close);
  ui.sheetMore.addEventListener("click", function () {
    if (nextPage) load(nextPage, current());
  });
  ui.commentForm.addEventListener("submit", post);
  ui.commentInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) post(event);
  });

  return { close: close, isOpen: function () { return !ui.sheet.hidden; } };
}

// The header's unread counts (notifications, messages) kept current without a reload: the page
// draws them (templates/base.html), then this asks GET /api/v1/me/badge/ every few seconds
// (lib/poll.js: ETag, hidden tabs, errors) and redraws a count, its link's accessible name and,
// when a count goes up, one polite sentence in the header's live region.

import { el, plural } from "./lib/dom.js";
import { poll } from "./lib/poll.js";

const WORDS = {
  notifications: ["unread notification", "unread notifications"],
  messages: ["unread message", "unread messages"],
};

function draw(link, count) {
  link.dataset.count = String(count);
  const noun = link.dataset.badgeNoun;
  link.setAttribute("aria-label", count ? noun + ", " + count + " unread" : noun);
  let badge = link.querySelector(".nav-badge");
  if (!count) {
    if (badge) badge.remove();
    return;
  }
  if (!badge) {
    badge = el("span", "badge nav-badge");
    badge.setAttribute("aria-hidden", "true"); // the link's name says it
    link.append(badge);
  }
  badge.textContent = count > 99 ? "99+" : String(count);
}

function start(live) {
  const links = {};
  for (const link of document.querySelectorAll("[data-badge]")) links[link.dataset.badge] = link;

  function update(body) {
    const news = [];
    for (const [key, link] of Object.entries(links)) {
      if (!(key in WORDS) || !body || typeof body[key] !== "number") continue;
      const before = Number(link.dataset.count) || 0;
      const count = Math.max(0, Math.floor(body[key]));
      if (count === before) continue;
      draw(link, count);
      // Only news is spoken: a count going down (read elsewhere) changes quietly.
      if (count > before) news.push(plural(count, WORDS[key][0], WORDS[key][1]));
    }
    if (news.length) live.textContent = "You have " + news.join(" and ") + ".";
  }

  poll(live.dataset.badgeUrl, { seconds: live.dataset.pollSeconds, onChange: update });
}

const live = document.getElementById("badge-live");
if (live && live.dataset.badgeUrl) start(live);

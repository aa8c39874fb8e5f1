// How people, times and counts read in the player and its comments.
import { el } from "./dom.js";

export function nameOf(person) {
  return person.display_name || person.username;
}

// The same markup as templates/accounts/_avatar.html, so the ring looks the same everywhere.
export function avatar(person, size, ring) {
  const span = el("span", "avatar avatar-" + size + (ring ? " has-story" : ""));
  if (person.avatar_url) {
    const img = el("img");
    img.src = person.avatar_url;
    img.alt = "";
    span.appendChild(img);
  } else {
    // Drawn by CSS from data-initial, as in accounts/_avatar.html: not part of a link's visible text.
    const initial = el("span", "avatar-initial");
    initial.dataset.initial = nameOf(person).charAt(0).toUpperCase();
    initial.setAttribute("aria-hidden", "true");
    span.appendChild(initial);
  }
  return span;
}

// How long ago, the way the player says it: now, 5m, 3h, 2d.
export function since(iso) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "now";
  if (seconds < 3600) return Math.floor(seconds / 60) + "m";
  if (seconds < 86400) return Math.floor(seconds / 3600) + "h";
  return Math.floor(seconds / 86400) + "d";
}

// A count in a few characters: 999, 12K, 1.5M.
export function count(n) {
  if (n >= 1e6) return (n / 1e6).toFixed(n < 1e7 ? 1 : 0).replace(/\.0$/, "") + "M";
  if (n >= 1e4) return Math.floor(n / 1e3) + "K";
  return String(n);
}

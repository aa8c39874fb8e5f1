// How far each view got, for the story's retention curve ("where viewers drop off" in its
// analytics). A view is one showing of one item; it gets a random key, and its reports (on pause,
// next, close, end, and when the page is hidden) carry how far it got with that key, so the
// server counts only the seconds newly reached. The page-hidden report goes with sendBeacon,
// which outlives the page; it carries the CSRF token in its form body (a beacon cannot set
// headers).
import { csrfToken } from "./lib/http.js";

const URL_OF = function (item) { return "/api/v1/stories/" + item.id + "/views/"; };

function newKey() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
}

export function createWatchReporter() {
  let view = null; // {item, key, sentMs}

  function body(ms) {
    const form = new URLSearchParams();
    form.set("impression", "false");
    form.set("watched_ms", String(ms));
    form.set("view_key", view.key);
    form.set("csrfmiddlewaretoken", csrfToken());
    return form;
  }

  // Send how far the current view got (`seconds` of the item), unless nothing new was reached.
  function report(seconds, { beacon = false } = {}) {
    if (!view) return;
    const ms = Math.max(0, Math.round(seconds * 1000));
    if (view.sentMs >= 0 && Math.floor(ms / 1000) <= Math.floor(view.sentMs / 1000)) return;
    view.sentMs = ms;
    const form = body(ms);
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(URL_OF(view.item), form);
      return;
    }
    fetch(URL_OF(view.item), {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: form,
    }).catch(function () {});
  }

  return {
    // A new item is on screen: a new view begins (the last one's final report was made by the
    // caller, with `end`).
    start(item) {
      view = { item: item, key: newKey(), sentMs: -1 };
    },
    report: report,
    // The item whose view is being timed (the one on stage), or null.
    item() {
      return view ? view.item : null;
    },
    // The view ends (next, close, end of the item): its last report, then no more.
    end(seconds) {
      report(seconds);
      view = null;
    },
  };
}

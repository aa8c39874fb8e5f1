// Asking a small JSON endpoint again and again, politely: conditional requests (If-None-Match,
// so an unchanged answer is a bodiless 304), less often while the tab is hidden, longer and
// longer waits after errors, and at once when the person comes back to the tab.

const HIDDEN_FACTOR = 10; // a hidden tab asks ten times less often...
const MAX_SECONDS = 300; // ...and nothing waits longer than five minutes
const RETURN_GAP_MS = 2000; // coming back to the tab asks at once, unless it just asked

// Calls onChange(body) with each new answer of `url` (never for a 304). options.seconds is the
// interval while the tab is visible. Stops for good on 401 or 403 (signed out in another tab).
// Returns {stop, now}: now() asks at once (unless a request is already on its way).
export function poll(url, options) {
  const seconds = Math.max(1, Number(options.seconds) || 30);
  const onChange = options.onChange;
  let etag = "";
  let failures = 0;
  let timer = 0;
  let busy = false;
  let stopped = false;
  let last = 0;

  function delay() {
    let wait = seconds;
    if (document.hidden) wait *= HIDDEN_FACTOR;
    if (failures) wait = Math.max(wait, seconds * 2 ** failures);
    return Math.min(MAX_SECONDS, wait) * 1000;
  }

  function schedule() {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(now, delay());
  }

  function answer(response) {
    if (response.status === 304) return null;
    if (response.status === 401 || response.status === 403) {
      stopped = true;
      return null;
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    etag = response.headers.get("ETag") || "";
    return response.json().then(onChange);
  }

  function now() {
    if (busy || stopped) return;
    busy = true;
    last = Date.now();
    clearTimeout(timer);
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    // no-store: the browser's cache stays out of it, so a 304 reaches this code as a 304.
    fetch(url, { credentials: "same-origin", cache: "no-store", headers })
      .then(answer)
      .then(function () { failures = 0; })
      .catch(function () { failures = Math.min(failures + 1, 8); })
      .finally(function () {
        busy = false;
        schedule();
      });
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  }

  function onVisibility() {
    if (!document.hidden && Date.now() - last > RETURN_GAP_MS) now();
    else schedule();
  }

  document.addEventListener("visibilitychange", onVisibility);
  schedule();
  return { stop, now };
}

// Requests to the site's JSON API: the CSRF token, JSON in and out, and one way of turning an
// error answer into a sentence the page can show.

const API = "/api/v1/";
const GENERIC = "Something went wrong. Please try again.";

// The page's CSRF token: the templates put it in one place, a data-csrf attribute on the
// element the page's script works in (the player, the story view, the upload form).
export function csrfToken() {
  const holder = document.querySelector("[data-csrf]");
  return holder ? holder.dataset.csrf : "";
}

// The one sentence of an error body: the API's `detail`, else the first message of the first
// field ({"text": ["..."]}), else "".
export function messageFrom(body) {
  if (!body || typeof body !== "object") return "";
  if (body.detail) return String(body.detail);
  const first = Object.keys(body)[0];
  return first ? String([].concat(body[first])[0]) : "";
}

// fetch() for the API: `path` is under /api/v1/ unless it is a site path or an absolute URL (the
// API's own `next` links). options.json is sent as the JSON body; options.fallback is the message
// when an error answer says nothing. Resolves to the parsed body (null for 204); rejects with an
// Error whose message can be shown as it is and whose `status` is the HTTP status (absent when
// the request did not get through).
export function api(path, options = {}) {
  const { json, fallback, ...rest } = options;
  const init = { credentials: "same-origin", ...rest, headers: { ...(rest.headers || {}) } };
  init.headers.Accept = "application/json";
  if (init.method && init.method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  const url = /^(\/|https?:)/.test(path) ? path : API + path;
  return fetch(url, init).then(function (response) {
    if (!response.ok) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        const error = new Error(messageFrom(body) || fallback || GENERIC);
        error.status = response.status;
        throw error;
      });
    }
    return response.status === 204 ? null : response.json();
  });
}

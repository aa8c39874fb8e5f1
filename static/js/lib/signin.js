// "Log in first, then do it": to the login page and back to this very address (the player keeps
// the item on screen in it), with what to do on return kept in this tab only (sessionStorage), so
// no link from elsewhere can make a signed-in person act.

const AFTER_SIGN_IN = "stories:after-sign-in";

// `root` carries the login page's address (data-login-url); `after` ({action, item}) is what
// to do on coming back.
export function signInFirst(root, after) {
  try {
    if (after) window.sessionStorage.setItem(AFTER_SIGN_IN, JSON.stringify(after));
  } catch {
    // Storage off: they come back to the item and tap again.
  }
  const login = (root && root.dataset.loginUrl) || "/accounts/login/";
  window.location.href = login + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
}

// What signInFirst was asked to do afterwards, once (it is forgotten as it is read).
export function takeAfterSignIn() {
  try {
    const after = JSON.parse(window.sessionStorage.getItem(AFTER_SIGN_IN) || "null");
    window.sessionStorage.removeItem(AFTER_SIGN_IN);
    return after && typeof after === "object" ? after : null;
  } catch {
    return null;
  }
}

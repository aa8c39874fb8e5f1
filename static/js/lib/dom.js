// Small DOM helpers shared by every page script. User text only ever goes in through
// textContent (here) or .value, never as markup.

// A new element with an optional class list and text.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// What the server wrote with Django's json_script filter under this id, or `fallback` when the
// page has no such element.
export function readJSON(id, fallback = null) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
}

// `value` as a number within [low, high]; `fallback` when it is not a finite number.
export function clamp(value, low, high, fallback = low) {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(high, Math.max(low, n)) : fallback;
}

export function plural(n, one, many) {
  return n + " " + (n === 1 ? one : many);
}

// The story editor: text overlays and stickers placed over the preview frame. Positions are
// fractions of the frame (0..1), the same numbers the player uses, and the preview draws them
// with the player's own classes (.overlay, .sticker), so what the author sees is what others see.
// Drag with a pointer to move, tap to edit; from the keyboard, Tab to an item, arrows to move,
// Enter to edit, Delete to remove. User text only ever goes in through textContent or .value.
// This module holds the items on the preview; each item's panel is editor-panels.js.
import { clamp, el } from "./lib/dom.js";
import { overlayNode, stickerNode } from "./lib/overlays.js";
import { EMOJI, createPanels } from "./editor-panels.js";
import { freeSpot, round } from "./editor-placement.js";

// The editor of the create page, or null when the page has none. `context` is the page's
// json_script "editor-context": the fonts, the person, the question or Add Yours prompt being
// answered, and the server's limits (max_overlays, max_stickers, min_options, max_options,
// max_option_length), so the editor refuses on the spot what the upload would refuse.
// Returns what the form needs: overlays(), stickers(), check() and showErrors().
export function createEditor(context) {
  const frame = document.getElementById("preview-frame");
  if (!frame) return null;
  const overlayLayer = document.getElementById("editor-overlays");
  const stickerLayer = document.getElementById("editor-stickers");
  const toolbar = document.querySelector(".editor-toolbar");
  const errors = document.getElementById("editor-errors");
  const hint = document.getElementById("editor-hint");

  const MAX_OVERLAYS = context.max_overlays;
  const MAX_STICKERS = context.max_stickers;
  const MIN_OPTIONS = context.min_options;
  const MAX_OPTIONS = context.max_options;
  const ONE_EACH = { poll: "poll", quiz: "quiz", question: "Questions", add_yours: "Add Yours" };
  const NAMES = { text: "Text", poll: "Poll", quiz: "Quiz", question: "Questions", add_yours: "Add Yours", mention: "Mention", emoji: "Emoji" };
  const DRAG_PX = 5;
  // Where a story answering a question shows it (stickers.selectors.ANSWER_CARD on the server).
  const ANSWER_CARD = context.answer_card;
  const me = String(context.me || "").toLowerCase();
  const known = new Map(); // lowercased username -> username, for people the search has shown

  const items = []; // {id, kind: "text" | a sticker type, data, node}
  let current = null; // the item whose panel is open
  let counter = 0;

  function showErrors(list) {
    errors.replaceChildren();
    list.forEach(function (text) { errors.appendChild(el("li", null, text)); });
  }

  // --- Drawing -------------------------------------------------------------------------------

  function describe(item) {
    const d = item.data;
    const what = {
      text: "Text “" + (d.text || "empty") + "”",
      poll: "Poll “" + (d.question || "no question yet") + "”",
      quiz: "Quiz “" + (d.question || "no question yet") + "”",
      question: "Questions sticker “" + (d.prompt || "") + "”",
      add_yours: "Add Yours sticker “" + (d.prompt || "") + "”",
      mention: "Mention @" + (d.username || ""),
      emoji: "Emoji " + (d.emoji || ""),
    }[item.kind];
    return what + ". Enter to edit, arrow keys to move, Delete to remove.";
  }

  function makeNode(item) {
    let node;
    if (item.kind === "text") {
      node = overlayNode(item.data, { placeholder: "Type something" });
    } else {
      node = stickerNode(Object.assign({ type: item.kind }, item.data), { preview: true });
    }
    node.classList.add("editor-item");
    node.tabIndex = 0;
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", describe(item));
    node.dataset.itemId = item.id;
    node.classList.toggle("is-selected", item === current);
    bindItem(node, item);
    return node;
  }

  function draw(item) {
    const fresh = makeNode(item);
    const layer = item.kind === "text" ? overlayLayer : stickerLayer;
    const hadFocus = item.node && document.activeElement === item.node;
    if (item.node && item.node.parentNode) item.node.replaceWith(fresh);
    else layer.appendChild(fresh);
    item.node = fresh;
    if (hadFocus) fresh.focus();
  }

  function position(item) {
    item.node.style.left = item.data.x * 100 + "%";
    item.node.style.top = item.data.y * 100 + "%";
  }

  // --- Moving: pointer drag on the frame, or arrow keys ---------------------------------------

  function bindItem(node, item) {
    let start = null;
    node.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      const box = frame.getBoundingClientRect();
      start = { px: event.clientX, py: event.clientY, x: item.data.x, y: item.data.y, w: box.width, h: box.height, moved: false };
      node.setPointerCapture(event.pointerId);
      node.classList.add("is-dragging");
    });
    node.addEventListener("pointermove", function (event) {
      if (!start) return;
      const dx = event.clientX - start.px;
      const dy = event.clientY - start.py;
      if (!start.moved && Math.hypot(dx, dy) < DRAG_PX) return;
      start.moved = true;
      item.data.x = round(clamp(start.x + dx / start.w, 0, 1));
      item.data.y = round(clamp(start.y + dy / start.h, 0, 1));
      position(item);
    });
    function end(event) {
      if (!start) return;
      const moved = start.moved;
      start = null;
      node.classList.remove("is-dragging");
      if (node.hasPointerCapture(event.pointerId)) node.releasePointerCapture(event.pointerId);
      if (!moved && event.type === "pointerup") open(item);
      else node.setAttribute("aria-label", describe(item));
    }
    node.addEventListener("pointerup", end);
    node.addEventListener("pointercancel", end);
    node.addEventListener("keydown", function (event) {
      const step = event.shiftKey ? 0.05 : 0.01;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        event.preventDefault();
        item.data.x = round(clamp(item.data.x + moves[event.key][0], 0, 1));
        item.data.y = round(clamp(item.data.y + moves[event.key][1], 0, 1));
        position(item);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open(item);
      } else if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        remove(item);
      }
    });
  }

  // --- Adding, editing, removing --------------------------------------------------------------

  // New items land where nothing is yet (editor-placement.js): the items placed so far, and the
  // card of the question being answered.
  function freeSpotFor(kind) {
    const placed = items.map(function (i) { return { kind: i.kind, x: i.data.x, y: i.data.y, scale: i.data.scale }; });
    if (context.answer) placed.push({ kind: "answer", x: ANSWER_CARD.x, y: ANSWER_CARD.y });
    return freeSpot(kind, placed);
  }

  function defaults(kind) {
    const base = freeSpotFor(kind);
    switch (kind) {
      case "text": return Object.assign(base, { text: "", font: context.fonts[0].value, color: "#ffffff", background: null, size: 0.07, rotation: 0 });
      case "poll": return Object.assign(base, { question: "", options: ["Yes", "No"], scale: 1, rotation: 0 });
      case "quiz": return Object.assign(base, { question: "", options: ["", ""], correct: 0, scale: 1, rotation: 0 });
      case "question": return Object.assign(base, { prompt: "Ask me a question", scale: 1, rotation: 0 });
      case "add_yours": return Object.assign(base, { prompt: "", scale: 1, rotation: 0 });
      case "mention": return Object.assign(base, { username: "", scale: 1, rotation: 0 });
      case "emoji": return Object.assign(base, { emoji: EMOJI[0], scale: 1.4, rotation: 0 });
      default: return null;
    }
  }

  function add(kind, data) {
    const item = { id: "item-" + (counter += 1), kind: kind, data: data || defaults(kind), node: null };
    items.push(item);
    draw(item);
    refreshToolbar();
    if (hint) hint.hidden = true;
    return item;
  }

  function remove(item) {
    const index = items.indexOf(item);
    if (index < 0) return;
    items.splice(index, 1);
    if (item.node) item.node.remove();
    if (current === item) close(false);
    refreshToolbar();
    showErrors([]);
    toolbar.querySelector("button").focus();
  }

  function refreshToolbar() {
    const overlays = items.filter(function (i) { return i.kind === "text"; }).length;
    const stickers = items.length - overlays;
    toolbar.querySelectorAll("button[data-add]").forEach(function (button) {
      const kind = button.dataset.add;
      let why = "";
      if (kind === "text" && overlays >= MAX_OVERLAYS) why = "A story can have at most " + MAX_OVERLAYS + " text overlays.";
      else if (kind !== "text" && stickers >= MAX_STICKERS) why = "A story can have at most " + MAX_STICKERS + " stickers.";
      else if (ONE_EACH[kind] && items.some(function (i) { return i.kind === kind; })) why = "A story can have only one " + ONE_EACH[kind] + " sticker.";
      button.setAttribute("aria-disabled", why ? "true" : "false");
      button.title = why;
    });
  }

  function problems(item) {
    const d = item.data;
    const out = [];
    if (item.kind === "poll" || item.kind === "quiz") {
      const label = item.kind === "poll" ? "poll" : "quiz";
      if (!d.question.trim()) out.push("The " + label + " needs a question.");
      if (d.options.some(function (o) { return !o.trim(); })) out.push("Fill in every " + label + " option, or remove the empty ones.");
      const seen = d.options.map(function (o) { return o.trim().toLowerCase(); });
      if (new Set(seen).size !== seen.length) out.push("The " + label + " options must all be different.");
    } else if ((item.kind === "question" || item.kind === "add_yours") && !d.prompt.trim()) {
      out.push("The " + NAMES[item.kind] + " sticker needs a prompt.");
    } else if (item.kind === "mention") {
      const name = d.username.replace(/^@/, "").trim();
      const key = name.toLowerCase();
      if (!name) out.push("Choose who to mention.");
      else if (key === me) out.push("You cannot mention yourself.");
      else if (!known.has(key)) out.push("Nobody is called @" + name + ": choose someone from the list.");
      else if (items.some(function (other) { return other !== item && other.kind === "mention" && other.data.username.toLowerCase() === key; })) {
        out.push("You already mention @" + known.get(key) + " in this story.");
      }
    }
    return out;
  }

  function open(item) {
    if (current && current !== item) close(true);
    current = item;
    items.forEach(function (i) { if (i.node) i.node.classList.toggle("is-selected", i === item); });
    panels.show(item);
  }

  // Done: an empty text goes away; an unfinished sticker stays open with what is missing.
  function close(keepIfInvalid) {
    const item = current;
    if (!item) return true;
    if (item.kind === "text" && !item.data.text.trim()) {
      current = null;
      remove(item);
      panels.hide();
      return true;
    }
    const wrong = problems(item);
    if (wrong.length && !keepIfInvalid) {
      showErrors(wrong);
      return false;
    }
    showErrors([]);
    current = null;
    if (item.node) {
      item.node.classList.remove("is-selected");
      item.node.setAttribute("aria-label", describe(item));
    }
    panels.hide();
    return true;
  }

  // The panels (editor-panels.js): filled from the item when it opens, read back on every input.
  const panels = createPanels({
    context, MIN_OPTIONS, MAX_OPTIONS, known, me,
    selected: function () { return current; },
    draw, close, remove,
  });

  toolbar.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-add]");
    if (!button) return;
    if (button.getAttribute("aria-disabled") === "true") {
      showErrors([button.title]);
      return;
    }
    if (current && !close(false)) return;
    showErrors([]);
    open(add(button.dataset.add));
  });

  // --- What the form sends ---------------------------------------------------------------------

  function overlays() {
    return items.filter(function (i) { return i.kind === "text" && i.data.text.trim(); }).map(function (i) {
      const d = i.data;
      return { type: "text", text: d.text.trim(), font: d.font, color: d.color, background: d.background, x: d.x, y: d.y, size: d.size, rotation: d.rotation };
    });
  }

  function stickers() {
    return items.filter(function (i) { return i.kind !== "text"; }).map(function (i) {
      const d = i.data;
      const out = { type: i.kind };
      if (i.kind === "poll" || i.kind === "quiz") {
        out.question = d.question.trim();
        out.options = d.options.map(function (o) { return o.trim(); });
        if (i.kind === "quiz") out.correct = d.correct;
      } else if (i.kind === "question" || i.kind === "add_yours") {
        out.prompt = d.prompt.trim();
      } else if (i.kind === "mention") {
        out.username = d.username;
      } else if (i.kind === "emoji") {
        out.emoji = d.emoji;
      }
      return Object.assign(out, { x: d.x, y: d.y, scale: d.scale, rotation: d.rotation });
    });
  }

  // Before posting: finish the open panel, and say what is missing anywhere.
  function check() {
    if (current && !close(false)) return false;
    const wrong = [];
    items.forEach(function (item) { problems(item).forEach(function (p) { wrong.push(p); }); });
    showErrors(wrong);
    if (wrong.length) {
      const bad = items.find(function (item) { return problems(item).length; });
      open(bad);
      return false;
    }
    return true;
  }

  // The question being answered (?answer=): the card the posted story shows, in the same place.
  if (context.answer) {
    const card = stickerNode({ type: "answer", text: context.answer.text, x: ANSWER_CARD.x, y: ANSWER_CARD.y }, { preview: true });
    card.classList.add("editor-fixed");
    stickerLayer.appendChild(card);
  }
  // Continuing an Add Yours chain (?add_yours=): the same prompt, already placed.
  if (context.add_yours) {
    const item = add("add_yours", Object.assign(defaults("add_yours"), { prompt: context.add_yours.prompt, y: 0.7 }));
    if (item.node) item.node.classList.remove("is-selected");
  }
  refreshToolbar();

  return { overlays: overlays, stickers: stickers, check: check, showErrors: showErrors };
}

// What a story carries over its media, drawn the same way everywhere: the text overlays and the
// stickers, in the editor's preview, in the player and on a story's own page, so what the author
// places is what viewers see (the same classes; places and sizes in fractions of the frame, so
// they scale with it). The page policy allows no style attributes in the markup: places are set
// here, as element styles. Every piece of user text goes in with textContent, never as markup.
import { clamp, el, plural } from "./dom.js";

const LETTERS = ["A", "B", "C", "D"];

// --- Text overlays ---------------------------------------------------------------------------

// One text overlay (the API's shape: text, font, x, y, size, rotation, color, background), its
// centre at x, y. options.placeholder: the editor's word for an overlay with no text yet.
export function overlayNode(overlay, options = {}) {
  const empty = !overlay.text && options.placeholder;
  const node = el("p", "overlay overlay-font-" + String(overlay.font || "classic"), empty ? options.placeholder : overlay.text);
  if (empty) node.classList.add("is-placeholder");
  node.style.left = (Number(overlay.x) || 0) * 100 + "%";
  node.style.top = (Number(overlay.y) || 0) * 100 + "%";
  node.style.setProperty("--overlay-size", String(Number(overlay.size) || 0.06));
  node.style.setProperty("--overlay-rotation", (Number(overlay.rotation) || 0) + "deg");
  if (overlay.color) node.style.color = overlay.color;
  if (overlay.background) node.style.background = overlay.background;
  return node;
}

// A layer's overlays, drawn afresh.
export function drawOverlays(layer, overlays) {
  layer.replaceChildren(...(overlays || []).map(function (overlay) { return overlayNode(overlay); }));
}

// --- Stickers ----------------------------------------------------------------------------------

// Position and size in fractions of the frame: left/top are the sticker's centre.
export function placeSticker(node, sticker) {
  node.style.left = clamp(sticker.x, 0, 1, 0.5) * 100 + "%";
  node.style.top = clamp(sticker.y, 0, 1, 0.5) * 100 + "%";
  node.style.setProperty("--sticker-scale", String(clamp(sticker.scale, 0.3, 3, 1)));
  node.style.setProperty("--sticker-rotation", clamp(sticker.rotation, -180, 180, 0) + "deg");
  return node;
}

export function percent(count, total) {
  return total ? Math.round((count / total) * 100) : 0;
}

// --- The shapes (options.preview: a still picture for the editor, nothing to tap) ----------

function optionRow(tag, label, index, letters) {
  const row = el(tag, "sticker-option");
  row.dataset.index = String(index);
  row.appendChild(el("span", "sticker-option-fill"));
  if (letters) row.appendChild(el("span", "sticker-option-letter", LETTERS[index]));
  row.appendChild(el("span", "sticker-option-label", label));
  row.appendChild(el("span", "sticker-option-result"));
  return row;
}

function choiceSticker(sticker, options, isQuiz) {
  const kind = isQuiz ? "quiz" : "poll";
  const box = el("div", "sticker sticker-" + kind);
  const question = sticker.question || (options.preview ? "Ask a question" : "");
  box.appendChild(el("p", "sticker-heading" + (sticker.question ? "" : " is-placeholder"), question));
  const list = el("div", "sticker-options");
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", (isQuiz ? "Quiz: " : "Poll: ") + question);
  (sticker.options || []).forEach(function (label, index) {
    const shown = label || (options.preview ? "Option " + (index + 1) : "");
    const row = optionRow(options.preview ? "div" : "button", shown, index, isQuiz);
    if (!label) row.classList.add("is-placeholder");
    if (!options.preview) row.type = "button";
    if (options.preview && isQuiz && Number(sticker.correct) === index) row.classList.add("is-correct");
    list.appendChild(row);
  });
  box.appendChild(list);
  box.appendChild(el("p", "sticker-note"));
  return box;
}

function questionSticker(sticker, options) {
  const box = el("div", "sticker sticker-question");
  box.appendChild(el("p", "sticker-heading" + (sticker.prompt ? "" : " is-placeholder"), sticker.prompt || "Ask me a question"));
  if (options.preview) {
    box.appendChild(el("div", "sticker-field", "Type something…"));
    return box;
  }
  const form = el("form", "sticker-ask");
  const id = "sticker-ask-" + sticker.id;
  const label = el("label", "visually-hidden", "Your question");
  label.htmlFor = id;
  const input = el("textarea", "sticker-field");
  input.id = id;
  input.rows = 1;
  input.maxLength = 300;
  input.placeholder = "Type something…";
  const send = el("button", "sticker-button primary", "Send");
  send.type = "submit";
  form.append(label, input, send);
  box.appendChild(form);
  box.appendChild(el("p", "sticker-note"));
  return box;
}

function addYoursSticker(sticker, options) {
  const box = el("div", "sticker sticker-add-yours");
  box.appendChild(el("p", "sticker-kicker", "Add Yours"));
  box.appendChild(el("p", "sticker-heading" + (sticker.prompt ? "" : " is-placeholder"), sticker.prompt || "Add a prompt"));
  const actions = el("div", "sticker-actions");
  if (options.preview) {
    actions.appendChild(el("span", "sticker-button primary", "Add yours"));
  } else {
    const count = Number(sticker.response_count) || 0;
    box.appendChild(el("p", "sticker-note", count ? count + " added theirs" : "Be the first to add yours"));
    const all = el("a", "sticker-button", "See all");
    all.href = sticker.responses_url;
    const add = el("a", "sticker-button primary", "Add yours");
    add.href = sticker.add_url;
    actions.append(all, add);
  }
  box.appendChild(actions);
  return box;
}

function mentionSticker(sticker, options) {
  const name = "@" + String(sticker.username || "").replace(/^@/, "");
  const link = !options.preview && sticker.profile_url;
  const node = el(link ? "a" : "span", "sticker sticker-mention", name === "@" ? "@username" : name);
  if (name === "@") node.classList.add("is-placeholder");
  if (link) {
    node.href = sticker.profile_url;
    if (sticker.display_name) node.setAttribute("aria-label", "Mention: " + sticker.display_name + " (" + name + ")");
  }
  return node;
}

function emojiSticker(sticker) {
  const node = el("span", "sticker sticker-emoji", sticker.emoji || "😀");
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", "Emoji " + (sticker.emoji || ""));
  return node;
}

// The question a story answers (stickers.selectors.ANSWER_CARD): the same card in the player,
// on the story's page and on the editor's preview (the create page's ?answer=).
function answerCard(sticker) {
  const box = el("div", "sticker sticker-answer");
  box.appendChild(el("p", "sticker-kicker", "Question"));
  box.appendChild(el("p", "sticker-heading", sticker.text));
  return box;
}

// One sticker (the API's shape), placed; null for a type this page does not know.
// options.preview: the editor's still picture, with placeholders and nothing to tap.
export function stickerNode(sticker, options = {}) {
  let node;
  switch (sticker.type) {
    case "poll": node = choiceSticker(sticker, options, false); break;
    case "quiz": node = choiceSticker(sticker, options, true); break;
    case "question": node = questionSticker(sticker, options); break;
    case "add_yours": node = addYoursSticker(sticker, options); break;
    case "mention": node = mentionSticker(sticker, options); break;
    case "emoji": node = emojiSticker(sticker); break;
    case "answer": node = answerCard(sticker); break;
    default: return null;
  }
  node.dataset.type = sticker.type;
  if (sticker.id) node.dataset.stickerId = sticker.id;
  if (!options.preview) showResults(node, sticker);
  return placeSticker(node, sticker);
}

// --- Results -----------------------------------------------------------------------------

export function showPoll(node, results, isAuthor) {
  const total = results.total || 0;
  node.classList.add("has-results");
  node.querySelectorAll(".sticker-option").forEach(function (row, index) {
    const count = (results.counts || [])[index] || 0;
    const share = percent(count, total);
    row.querySelector(".sticker-option-fill").style.width = share + "%";
    row.querySelector(".sticker-option-result").textContent = isAuthor ? String(count) : share + "%";
    row.classList.toggle("is-mine", results.my_vote === index);
    row.disabled = true;
    if (row.tagName === "BUTTON") {
      const label = row.querySelector(".sticker-option-label").textContent;
      row.setAttribute("aria-label", label + ": " + (isAuthor ? plural(count, "vote", "votes") : share + "%") +
        (results.my_vote === index ? ", your vote" : ""));
    }
  });
  node.querySelector(".sticker-note").textContent = plural(total, "vote", "votes");
}

export function showQuiz(node, sticker, isAuthor) {
  const total = sticker.total || 0;
  node.classList.add("has-results");
  node.querySelectorAll(".sticker-option").forEach(function (row, index) {
    const count = (sticker.counts || [])[index] || 0;
    const right = sticker.correct_option === index;
    row.querySelector(".sticker-option-fill").style.width = percent(count, total) + "%";
    row.querySelector(".sticker-option-result").textContent = isAuthor ? String(count) : right ? "✓" : sticker.my_answer === index ? "✗" : "";
    row.classList.toggle("is-correct", right);
    row.classList.toggle("is-wrong", sticker.my_answer === index && !right);
    row.classList.toggle("is-mine", sticker.my_answer === index);
    row.disabled = true;
    if (row.tagName === "BUTTON") {
      const label = row.querySelector(".sticker-option-label").textContent;
      row.setAttribute("aria-label", label + (right ? ", the correct answer" : "") +
        (sticker.my_answer === index ? ", your answer" : "") + (isAuthor ? ", " + plural(count, "answer", "answers") : ""));
    }
  });
  let note = plural(total, "answer", "answers");
  if (sticker.correct === true) note = "You got it right!";
  if (sticker.correct === false) note = "Not quite: the right answer is highlighted.";
  node.querySelector(".sticker-note").textContent = note;
}

function showResults(node, sticker) {
  if (sticker.type === "poll" && sticker.results) {
    showPoll(node, sticker.results, !sticker.can_vote && sticker.results.my_vote === null);
  } else if (sticker.type === "quiz" && sticker.correct_option !== null && sticker.correct_option !== undefined) {
    showQuiz(node, sticker, sticker.my_answer === null);
  } else if (sticker.type === "question" && sticker.inbox_url) {
    const note = node.querySelector(".sticker-note");
    const form = node.querySelector(".sticker-ask");
    if (form) form.remove();
    const link = el("a", "sticker-button primary", "See " + plural(Number(sticker.question_count) || 0, "question", "questions"));
    link.href = sticker.inbox_url;
    note.replaceChildren(link);
  }
}

// The editor's panels, one for each kind of item (text, poll, quiz, Questions, Add Yours, mention,
// emoji): filled from the item when it opens, read back on every input so the preview follows each
// keystroke, with the rows of a poll's or quiz's options, the emoji picker and the mention search.
// User text only ever goes in through textContent or .value.
import { el } from "./lib/dom.js";
import { createMentionSearch } from "./editor-mention.js";

// The emoji the picker offers; a new Emoji sticker starts with the first.
export const EMOJI = ["😀", "😂", "😍", "🥰", "😎", "🤩", "🥳", "😭", "😮", "🤔", "🙌", "👏", "👍", "🙏", "💪", "🔥",
  "✨", "💯", "❤️", "💔", "🎉", "🌈", "☀️", "🌙", "⭐", "🍕", "☕", "🎶", "📍", "🐶"];

// `editor` is what the panels need from the editor (editor.js): context (the page's
// "editor-context"), MIN_OPTIONS and MAX_OPTIONS, known and me (for the mention search),
// selected() (the item whose panel is open, or null), draw(item), close(keepIfInvalid) and
// remove(item). Returns show(item) and hide().
export function createPanels(editor) {
  const { context, MIN_OPTIONS, MAX_OPTIONS, known, me, selected, draw, close, remove } = editor;
  const panels = {};
  document.querySelectorAll(".editor-panel").forEach(function (panel) { panels[panel.dataset.panel] = panel; });

  // Sticker size and tilt: one block, moved into whichever sticker panel is open.
  const transform = document.getElementById("sticker-transform");
  transform.remove();
  const scaleInput = transform.querySelector("#sticker-scale");
  const rotationInput = transform.querySelector("#sticker-rotation");

  function show(item) {
    Object.keys(panels).forEach(function (kind) { panels[kind].classList.toggle("hidden", kind !== item.kind); });
    const panel = panels[item.kind];
    fill(panel, item);
    if (item.kind !== "text") {
      scaleInput.value = item.data.scale;
      rotationInput.value = item.data.rotation;
      panel.insertBefore(transform, panel.querySelector(".editor-panel-actions"));
    }
    const first = panel.querySelector("textarea, input[type=text], .emoji-grid button");
    if (first) first.focus();
    panel.scrollIntoView({ block: "nearest" });
  }

  function hide() {
    Object.keys(panels).forEach(function (kind) { panels[kind].classList.add("hidden"); });
  }

  // --- Fill from the item, read back on every input -------------------------------------------

  function optionRows(panel, item) {
    const list = panel.querySelector(".option-list");
    list.replaceChildren();
    item.data.options.forEach(function (value, index) {
      const li = el("li", "option-row");
      const id = item.kind + "-option-" + index;
      const label = el("label", "visually-hidden", "Option " + (index + 1));
      label.htmlFor = id;
      const input = el("input");
      input.type = "text";
      input.id = id;
      input.maxLength = context.max_option_length;
      input.placeholder = "Option " + (index + 1);
      input.value = value;
      input.dataset.option = String(index);
      li.append(label, input);
      if (item.kind === "quiz") {
        const right = el("label", "inline-choice option-correct");
        const radio = el("input");
        radio.type = "radio";
        radio.name = "quiz_correct";
        radio.value = String(index);
        radio.checked = item.data.correct === index;
        right.append(radio, document.createTextNode(" Correct"));
        li.appendChild(right);
      }
      const drop = el("button", "option-remove", "×");
      drop.type = "button";
      drop.setAttribute("aria-label", "Remove option " + (index + 1));
      drop.dataset.action = "remove-option";
      drop.dataset.option = String(index);
      drop.disabled = item.data.options.length <= MIN_OPTIONS;
      li.appendChild(drop);
      list.appendChild(li);
    });
    const more = panel.querySelector("[data-action=add-option]");
    if (more) more.disabled = item.data.options.length >= MAX_OPTIONS;
  }

  function fill(panel, item) {
    const d = item.data;
    if (item.kind === "text") {
      panel.querySelector("#text-value").value = d.text;
      panel.querySelectorAll("input[name=text_font]").forEach(function (radio) { radio.checked = radio.value === d.font; });
      panel.querySelector("#text-color").value = d.color;
      panel.querySelector("#text-background-on").checked = Boolean(d.background);
      panel.querySelector("#text-background").disabled = !d.background;
      if (d.background) panel.querySelector("#text-background").value = d.background;
      panel.querySelector("#text-size").value = d.size;
      panel.querySelector("#text-rotation").value = d.rotation;
    } else if (item.kind === "poll" || item.kind === "quiz") {
      panel.querySelector("input[type=text]").value = d.question;
      optionRows(panel, item);
    } else if (item.kind === "question" || item.kind === "add_yours") {
      panel.querySelector("input[type=text]").value = d.prompt;
    } else if (item.kind === "mention") {
      panel.querySelector("#mention-username").value = d.username ? "@" + d.username : "";
      mention.hideResults();
    } else if (item.kind === "emoji") {
      panel.querySelectorAll(".emoji-grid button").forEach(function (b) { b.setAttribute("aria-pressed", String(b.textContent === d.emoji)); });
    }
  }

  function read(panel, item) {
    const d = item.data;
    if (item.kind === "text") {
      d.text = panel.querySelector("#text-value").value;
      const font = panel.querySelector("input[name=text_font]:checked");
      d.font = font ? font.value : d.font;
      d.color = panel.querySelector("#text-color").value;
      const on = panel.querySelector("#text-background-on").checked;
      panel.querySelector("#text-background").disabled = !on;
      d.background = on ? panel.querySelector("#text-background").value : null;
      d.size = Number(panel.querySelector("#text-size").value);
      d.rotation = Number(panel.querySelector("#text-rotation").value);
    } else if (item.kind === "poll" || item.kind === "quiz") {
      d.question = panel.querySelector("input[type=text]").value;
      panel.querySelectorAll("input[data-option]").forEach(function (input) { d.options[Number(input.dataset.option)] = input.value; });
      const right = panel.querySelector("input[name=quiz_correct]:checked");
      if (item.kind === "quiz" && right) d.correct = Number(right.value);
    } else if (item.kind === "question" || item.kind === "add_yours") {
      d.prompt = panel.querySelector("input[type=text]").value;
    } else if (item.kind === "mention") {
      d.username = panel.querySelector("#mention-username").value.trim().replace(/^@/, "");
      if (known.has(d.username.toLowerCase())) d.username = known.get(d.username.toLowerCase());
    }
    if (item.kind !== "text" && panel.contains(transform)) {
      d.scale = Number(scaleInput.value);
      d.rotation = Number(rotationInput.value);
    }
  }

  Object.keys(panels).forEach(function (kind) {
    const panel = panels[kind];
    ["input", "change"].forEach(function (name) {
      panel.addEventListener(name, function (event) {
        const current = selected();
        if (!current || current.kind !== kind || event.target.type === "button") return;
        read(panel, current);
        draw(current);
      });
    });
    panel.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-action]");
      const item = selected();
      if (!button || !item) return;
      const action = button.dataset.action;
      if (action === "done") {
        const node = item.node;
        if (close(false) && node && node.isConnected) node.focus();
      } else if (action === "delete") {
        remove(item);
      } else if (action === "add-option" && item.data.options.length < MAX_OPTIONS) {
        item.data.options.push("");
        optionRows(panel, item);
        draw(item);
        panel.querySelector("input[data-option='" + (item.data.options.length - 1) + "']").focus();
      } else if (action === "remove-option" && item.data.options.length > MIN_OPTIONS) {
        const index = Number(button.dataset.option);
        item.data.options.splice(index, 1);
        if (item.kind === "quiz") {
          if (item.data.correct === index) item.data.correct = 0;
          else if (item.data.correct > index) item.data.correct -= 1;
        }
        optionRows(panel, item);
        draw(item);
      }
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        const current = selected();
        const node = current && current.node;
        if (close(false) && node && node.isConnected) node.focus();
      }
    });
  });

  // Emoji: a small picker of common ones.
  const grid = panels.emoji.querySelector(".emoji-grid");
  EMOJI.forEach(function (emoji) {
    const button = el("button", "emoji-choice", emoji);
    button.type = "button";
    button.setAttribute("aria-pressed", "false");
    grid.appendChild(button);
  });
  grid.addEventListener("click", function (event) {
    const button = event.target.closest(".emoji-choice");
    const current = selected();
    if (!button || !current || current.kind !== "emoji") return;
    current.data.emoji = button.textContent;
    fill(panels.emoji, current);
    draw(current);
  });

  // Mention: autocomplete from GET /api/v1/users/?search=<prefix> (editor-mention.js).
  const mentionInput = document.getElementById("mention-username");
  const mention = createMentionSearch({
    input: mentionInput,
    results: document.getElementById("mention-results"),
    known: known,
    me: me,
    mentionItem: function () {
      const current = selected();
      return current && current.kind === "mention" ? current : null;
    },
    draw: draw,
  });

  // Enter in a one-line field finishes the panel instead of submitting the story.
  Object.keys(panels).forEach(function (kind) {
    panels[kind].addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.matches("input[type=text]") && event.target !== mentionInput) {
        event.preventDefault();
        const next = event.target.closest("li") && event.target.closest("li").nextElementSibling;
        const input = next && next.querySelector("input[type=text]");
        if (input) input.focus();
        else panels[kind].querySelector("[data-action=done]").click();
      }
    });
  });

  return { show, hide };
}

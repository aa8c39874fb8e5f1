// The author's highlights page (/stories/highlights/): make a highlight from picked stories,
// rename it, add and remove stories, order them by drag and drop or by keyboard (Move up / Move
// down buttons, or the arrow keys on an item), pick the cover (an item's poster or an uploaded
// image), delete it. Every change goes through the API at once; moves are announced in a live
// region. The page's data comes from json_script "highlight-data".

import { el, plural, readJSON } from "./lib/dom.js";
import { api } from "./lib/http.js";

const page = document.getElementById("highlights-page");
if (page) startHighlights(page);

function startHighlights(root) {
  const data = readJSON("highlight-data");
  const stories = new Map(data.stories.map(function (story) { return [story.id, story]; }));
  const announcer = document.getElementById("highlights-announce");
  const errorLine = document.getElementById("highlights-error");
  const editors = root.querySelector(".highlight-editors");
  const emptyNote = root.querySelector(".highlights-empty");
  const createForm = root.querySelector(".highlight-create");
  let highlights = data.highlights;

  function announce(text) {
    // Cleared first so the same sentence twice is read twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function showError(error) {
    errorLine.textContent = error ? error.message : "";
  }

  // How an item is named to the author (and to a screen reader): its caption or alt text, else
  // "Clip of 3 June, 14:05"; the same whatever its place, so "moved to position 2" is clear.
  function label(storyId) {
    const story = stories.get(storyId);
    if (!story) return "Story";
    const words = (story.caption || story.alt_text || "").trim();
    if (words) return words.length > 40 ? words.slice(0, 39) + "…" : words;
    const when = story.published_at ? new Date(story.published_at) : null;
    const what = story.kind === "photo" ? "Photo" : "Clip";
    return when ? what + " of " + when.toLocaleString([], { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }) : what;
  }

  function thumb(storyId) {
    const story = stories.get(storyId);
    const image = el("img", "highlight-thumb");
    image.alt = "";
    if (story && story.poster_url) image.src = story.poster_url;
    return image;
  }

  // --- Creating -------------------------------------------------------------------------------

  const picked = [];
  const picker = createForm.querySelector(".picker-grid");
  createForm.querySelector(".picker-empty").hidden = data.stories.length > 0;
  data.stories.forEach(function (story) {
    const item = el("li", "picker-item");
    const box = el("input");
    box.type = "checkbox";
    box.id = "pick-" + story.id;
    box.value = story.id;
    const caption = el("label", "picker-label");
    caption.htmlFor = box.id;
    caption.append(thumb(story.id), el("span", "picker-text", label(story.id) + (story.live ? "" : " (archived)")));
    const order = el("span", "picker-order");
    order.setAttribute("aria-hidden", "true");
    box.addEventListener("change", function () {
      const at = picked.indexOf(story.id);
      if (box.checked && at < 0) picked.push(story.id);
      if (!box.checked && at >= 0) picked.splice(at, 1);
      picker.querySelectorAll(".picker-item").forEach(function (node) {
        const n = picked.indexOf(node.querySelector("input").value);
        node.querySelector(".picker-order").textContent = n >= 0 ? String(n + 1) : "";
      });
    });
    item.append(box, caption, order);
    picker.append(item);
  });

  createForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const title = createForm.elements.title.value;
    const button = createForm.querySelector("button[type=submit]");
    button.disabled = true;
    api("highlights/", { method: "POST", json: { title: title, stories: picked.slice() } }).then(function (body) {
      highlights.push(toEntry(body));
      createForm.reset();
      picked.length = 0;
      picker.querySelectorAll(".picker-order").forEach(function (node) { node.textContent = ""; });
      showError(null);
      render();
      announce("Highlight " + body.title + " created with " + plural(body.stories.length, "story", "stories") + ".");
    }).catch(showError).then(function () { button.disabled = false; });
  });

  function toEntry(body) {
    return {
      id: body.id,
      title: body.title,
      cover_url: body.cover_url,
      cover_story: body.cover_story,
      stories: body.stories.map(function (story) { return story.id; }),
    };
  }

  // --- Editing --------------------------------------------------------------------------------

  function save(entry, changes, done) {
    return api("highlights/" + entry.id + "/", { method: "PATCH", json: changes }).then(function (body) {
      Object.assign(entry, toEntry(body));
      showError(null);
      if (done) done(body);
    }).catch(function (error) {
      showError(error);
      render();
    });
  }

  // Move the item at `from` to `to` in the entry, save the new order, and say where it went.
  function move(entry, from, to, focusAfter) {
    if (to < 0 || to >= entry.stories.length || from === to) return;
    const order = entry.stories.slice();
    const [storyId] = order.splice(from, 1);
    order.splice(to, 0, storyId);
    entry.stories = order;
    render(focusAfter ? { highlight: entry.id, story: storyId, control: focusAfter } : null);
    announce(label(storyId) + " moved to position " + (to + 1) + " of " + order.length + ".");
    save(entry, { stories: order });
  }

  function itemRow(entry, storyId, index) {
    const row = el("li", "highlight-item");
    row.draggable = true;
    row.tabIndex = 0;
    row.dataset.story = storyId;
    row.setAttribute("aria-label", label(storyId) + ", position " + (index + 1) + " of " + entry.stories.length
      + ". Arrow up or down to move.");
    const up = el("button", "button small move-up", "Move up");
    up.type = "button";
    up.disabled = index === 0;
    up.setAttribute("aria-label", "Move " + label(storyId) + " up");
    const down = el("button", "button small move-down", "Move down");
    down.type = "button";
    down.disabled = index === entry.stories.length - 1;
    down.setAttribute("aria-label", "Move " + label(storyId) + " down");
    const cover = el("button", "button small make-cover", entry.cover_story === storyId ? "Cover" : "Use as cover");
    cover.type = "button";
    cover.setAttribute("aria-pressed", String(entry.cover_story === storyId));
    const remove = el("button", "button small danger remove-item", "Remove");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove " + label(storyId) + " from " + entry.title);
    remove.disabled = entry.stories.length === 1;
    up.addEventListener("click", function () { move(entry, index, index - 1, index - 1 === 0 ? "down" : "up"); });
    down.addEventListener("click", function () {
      move(entry, index, index + 1, index + 1 === entry.stories.length - 1 ? "up" : "down");
    });
    cover.addEventListener("click", function () {
      const chosen = entry.cover_story === storyId ? null : storyId;
      save(entry, { cover_story: chosen }, function () { render(); announce(chosen ? "Cover chosen." : "Cover reset."); });
    });
    remove.addEventListener("click", function () {
      const order = entry.stories.filter(function (id) { return id !== storyId; });
      save(entry, { stories: order }, function () { render(); announce(label(storyId) + " removed."); });
    });
    row.addEventListener("keydown", function (event) {
      if (event.target !== row) return;
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        move(entry, index, index + (event.key === "ArrowUp" ? -1 : 1), "row");
      }
    });
    row.addEventListener("dragstart", function (event) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(index));
      row.classList.add("dragging");
    });
    row.addEventListener("dragend", function () { row.classList.remove("dragging"); });
    row.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    });
    row.addEventListener("drop", function (event) {
      event.preventDefault();
      const from = Number(event.dataTransfer.getData("text/plain"));
      if (Number.isInteger(from)) move(entry, from, index, null);
    });
    const tools = el("span", "highlight-item-tools");
    tools.append(up, down, cover, remove);
    row.append(el("span", "drag-handle", "⠿"), thumb(storyId), el("span", "highlight-item-label", label(storyId)), tools);
    row.querySelector(".drag-handle").setAttribute("aria-hidden", "true");
    return row;
  }

  function editor(entry) {
    const box = el("li", "panel highlight-editor");
    box.dataset.highlight = entry.id;
    const head = el("div", "row between");
    const titleForm = el("form", "highlight-rename");
    const titleId = "highlight-title-" + entry.id;
    const titleLabel = el("label", "visually-hidden", "Name");
    titleLabel.htmlFor = titleId;
    const title = el("input");
    title.id = titleId;
    title.name = "title";
    title.value = entry.title;
    title.maxLength = data.limits.title;
    title.required = true;
    const rename = el("button", "button small", "Rename");
    rename.type = "submit";
    titleForm.append(titleLabel, title, rename);
    titleForm.addEventListener("submit", function (event) {
      event.preventDefault();
      save(entry, { title: title.value }, function () { render(); announce("Renamed to " + entry.title + "."); });
    });
    const play = el("a", "button small", "Play");
    play.href = "/stories/highlights/" + entry.id + "/";
    const remove = el("button", "button small danger delete-highlight", "Delete");
    remove.type = "button";
    remove.addEventListener("click", function () {
      if (!window.confirm("Delete the highlight " + entry.title + "? Its stories stay where they are.")) return;
      api("highlights/" + entry.id + "/", { method: "DELETE" }).then(function () {
        highlights = highlights.filter(function (h) { return h !== entry; });
        render();
        announce("Highlight " + entry.title + " deleted.");
      }).catch(showError);
    });
    head.append(titleForm, play, remove);

    const list = el("ol", "highlight-items");
    list.setAttribute("aria-label", "Stories in " + entry.title);
    entry.stories.forEach(function (storyId, index) { list.append(itemRow(entry, storyId, index)); });
    if (!entry.stories.length) list.append(el("li", "muted", "Its stories are gone. Add some, or delete it."));

    box.append(head, list, adder(entry), coverUpload(entry));
    return box;
  }

  function adder(entry) {
    const rest = data.stories.filter(function (story) { return entry.stories.indexOf(story.id) < 0; });
    const details = el("details", "highlight-add");
    details.append(el("summary", "", "Add stories"));
    if (!rest.length) {
      details.append(el("p", "muted", "Every story you can keep is in it."));
      return details;
    }
    const form = el("form");
    rest.forEach(function (story) {
      const line = el("label", "picker-label");
      const box = el("input");
      box.type = "checkbox";
      box.value = story.id;
      line.append(box, thumb(story.id), el("span", "", label(story.id)));
      form.append(line);
    });
    const add = el("button", "button small primary", "Add to " + entry.title);
    add.type = "submit";
    form.append(add);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const chosen = Array.from(form.querySelectorAll("input:checked")).map(function (box) { return box.value; });
      if (!chosen.length) return;
      save(entry, { stories: entry.stories.concat(chosen) }, function () {
        render();
        announce(plural(chosen.length, "story", "stories") + " added.");
      });
    });
    details.append(form);
    return details;
  }

  function coverUpload(entry) {
    const form = el("form", "highlight-cover-upload");
    const inputId = "cover-" + entry.id;
    const caption = el("label", "", "Cover image");
    caption.htmlFor = inputId;
    const input = el("input");
    input.type = "file";
    input.id = inputId;
    input.accept = "image/*";
    const status = el("span", "muted small");
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      const body = new FormData();
      body.append("image", input.files[0]);
      status.textContent = "Uploading…";
      api("highlights/" + entry.id + "/cover/", { method: "POST", body: body }).then(function () {
        status.textContent = "The new cover shows once it is ready.";
        entry.cover_story = null;
      }).catch(function (error) { status.textContent = error.message; });
    });
    form.append(caption, input, status);
    return form;
  }

  // Redraw every editor; `focus` puts the keyboard back on the moved item's control.
  function render(focus) {
    editors.replaceChildren.apply(editors, highlights.map(editor));
    emptyNote.hidden = highlights.length > 0;
    if (!focus) return;
    const row = editors.querySelector('[data-highlight="' + focus.highlight + '"] [data-story="' + focus.story + '"]');
    if (!row) return;
    const target = focus.control === "row" ? row : row.querySelector(focus.control === "up" ? ".move-up" : ".move-down");
    (target || row).focus();
  }

  render();
}

// The editor's Mention panel: who to mention, searched as the author types (GET
// /api/v1/users/?search=<prefix>), chosen with the pointer or the arrow keys and Enter.
import { el } from "./lib/dom.js";
import { api } from "./lib/http.js";

// options: input and results (the panel's field and list), known (a Map the editor checks
// mentions against: lowercased username -> username, filled with everyone the search shows), me
// (the author, lowercased: never offered), mentionItem() (the mention being edited, or null) and
// draw(item) (redraw it on the preview).
export function createMentionSearch(options) {
  const { input, results, known, me, mentionItem, draw } = options;
  let searchTimer = 0;
  let searchSeq = 0;
  let active = -1;

  function hideResults() {
    results.replaceChildren();
    results.classList.add("hidden");
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(username) {
    known.set(username.toLowerCase(), username);
    input.value = "@" + username;
    hideResults();
    const item = mentionItem();
    if (item) {
      item.data.username = username;
      draw(item);
    }
  }

  function highlight(index) {
    const options = results.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === active)); });
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function search(prefix) {
    const seq = (searchSeq += 1);
    api("users/?search=" + encodeURIComponent(prefix))
      .catch(function (error) {
        if (error.status) return { results: [] }; // an answer, but not a list: nobody to show
        throw error;
      })
      .then(function (page) {
        if (seq !== searchSeq) return;
        results.replaceChildren();
        const people = (page.results || []).filter(function (person) { return person.username.toLowerCase() !== me; });
        people.forEach(function (person) { known.set(person.username.toLowerCase(), person.username); });
        const item = mentionItem();
        if (item && known.has(item.data.username.toLowerCase())) {
          item.data.username = known.get(item.data.username.toLowerCase());
        }
        people.slice(0, 8).forEach(function (person, i) {
          const option = el("li", "mention-option");
          option.id = "mention-option-" + i;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.dataset.username = person.username;
          option.appendChild(el("strong", null, person.display_name || person.username));
          option.appendChild(el("span", "muted", " @" + person.username));
          option.addEventListener("pointerdown", function (event) { event.preventDefault(); });
          option.addEventListener("click", function () { choose(person.username); });
          results.appendChild(option);
        });
        if (!results.children.length) results.appendChild(el("li", "mention-empty muted", "Nobody by that name."));
        results.classList.remove("hidden");
        input.setAttribute("aria-expanded", "true");
        active = -1;
      })
      .catch(function () { hideResults(); });
  }

  input.addEventListener("input", function () {
    const prefix = input.value.trim().replace(/^@/, "");
    window.clearTimeout(searchTimer);
    if (!prefix) { hideResults(); return; }
    searchTimer = window.setTimeout(function () { search(prefix); }, 180);
  });
  input.addEventListener("keydown", function (event) {
    const open = !results.classList.contains("hidden");
    if (event.key === "ArrowDown" && open) { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp" && open) { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      const options = results.querySelectorAll("[role=option]");
      if (open && options.length) choose(options[Math.max(0, active)].dataset.username);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      hideResults();
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(hideResults, 150); });

  return { hideResults: hideResults };
}

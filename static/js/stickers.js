// Stickers drawn over a story's media: one builder for the editor's preview and the player, so
// what the author places is what viewers see (the same classes, sizes in units of the frame).
// The player calls render(layer, item) for each item it shows (or listens for "story:item");
// taps on a sticker talk to /api/v1/stickers/{id}/... Every piece of user text goes in with
// textContent, never as markup.
(function () {
  "use strict";
  const API = "/api/v1/stickers/";
  const LETTERS = ["A", "B", "C", "D"];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clamp(value, low, high, fallback) {
    const n = Number(value);
    return Number.isFinite(n) ? Math.min(high, Math.max(low, n)) : fallback;
  }

  // Position and size in fractions of the frame: left/top are the sticker's centre.
  function place(node, sticker) {
    node.style.left = clamp(sticker.x, 0, 1, 0.5) * 100 + "%";
    node.style.top = clamp(sticker.y, 0, 1, 0.5) * 100 + "%";
    node.style.setProperty("--sticker-scale", String(clamp(sticker.scale, 0.3, 3, 1)));
    node.style.setProperty("--sticker-rotation", clamp(sticker.rotation, -180, 180, 0) + "deg");
    return node;
  }

  function percent(count, total) {
    return total ? Math.round((count / total) * 100) : 0;
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
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

  function build(sticker, options) {
    options = options || {};
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
    return place(node, sticker);
  }

  // --- Results -----------------------------------------------------------------------------

  function showPoll(node, results, isAuthor) {
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

  function showQuiz(node, sticker, isAuthor) {
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

  // --- The player: taps, requests, holding playback while the viewer types ------------------

  function csrf(root) {
    if (root && root.dataset.csrf) return root.dataset.csrf;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(root, path, body) {
    return fetch(API + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf(root) },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          const message = data.detail || (data.option && data.option[0]) || (data.text && data.text[0]) ||
            Object.values(data).flat()[0] || "That did not work. Please try again.";
          throw new Error(String(message));
        }
        return data;
      });
    });
  }

  // Ask the player to hold playback ("story:hold", detail {reason, on}); it lets go on release.
  function hold(root, on) {
    if (root) root.dispatchEvent(new CustomEvent("story:hold", { detail: { reason: "sticker", on: on } }));
  }

  function say(node, text) {
    const note = node.querySelector(".sticker-note");
    if (note) note.textContent = text;
  }

  const AFTER_SIGN_IN = "stories:after-sign-in";

  // To the login page and back to this address (the player keeps the item on screen in it).
  // `after` ({action, item}) is what to do on return; it stays in this tab (sessionStorage), so
  // no link from elsewhere can make a signed-in person act.
  function signInFirst(root, after) {
    try {
      if (after) window.sessionStorage.setItem(AFTER_SIGN_IN, JSON.stringify(after));
    } catch (error) { /* storage off: they come back to the item and tap again */ }
    const login = (root && root.dataset.loginUrl) || "/accounts/login/";
    window.location.href = login + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  // What signInFirst was asked to do afterwards, once (it is forgotten as it is read).
  function takeAfterSignIn() {
    try {
      const after = JSON.parse(window.sessionStorage.getItem(AFTER_SIGN_IN) || "null");
      window.sessionStorage.removeItem(AFTER_SIGN_IN);
      return after && typeof after === "object" ? after : null;
    } catch (error) {
      return null;
    }
  }

  function wire(node, sticker, root) {
    const signedIn = !root || root.dataset.viewer !== "";
    if (sticker.type === "poll" || sticker.type === "quiz") {
      const can = sticker.type === "poll" ? sticker.can_vote : sticker.can_answer;
      node.querySelectorAll("button.sticker-option").forEach(function (row) {
        if (!can) {
          if (!node.classList.contains("has-results")) {
            row.addEventListener("click", function () {
              if (!signedIn) signInFirst(root);
              else say(node, sticker.type === "poll" ? "You cannot vote on your own poll." : "You cannot answer your own quiz.");
            });
          }
          return;
        }
        row.addEventListener("click", function () {
          if (node.classList.contains("has-results") || node.classList.contains("is-busy")) return;
          node.classList.add("is-busy");
          const option = Number(row.dataset.index);
          const path = sticker.id + (sticker.type === "poll" ? "/vote/" : "/answer/");
          post(root, path, { option: option }).then(function (data) {
            if (sticker.type === "poll") {
              sticker.results = data;
              sticker.can_vote = false;
              showPoll(node, data, false);
            } else {
              Object.assign(sticker, data, { can_answer: false, my_answer: option });
              showQuiz(node, sticker, false);
            }
          }).catch(function (error) {
            say(node, error.message);
          }).finally(function () {
            node.classList.remove("is-busy");
          });
        });
      });
    } else if (sticker.type === "question") {
      const form = node.querySelector(".sticker-ask");
      if (!form) return;
      const input = form.querySelector("textarea");
      input.addEventListener("focus", function () {
        if (!signedIn) { input.blur(); signInFirst(root); return; }
        hold(root, true);
      });
      input.addEventListener("blur", function () { hold(root, false); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Tab") return; // the player keeps focus inside itself
        event.stopPropagation(); // the player's keys (space, arrows, Escape) are not for this box
        if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          form.requestSubmit();
        } else if (event.key === "Escape") {
          input.blur();
        }
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) { say(node, "Write a question first."); return; }
        const send = form.querySelector("button");
        send.disabled = true;
        post(root, sticker.id + "/questions/", { text: text }).then(function () {
          input.value = "";
          say(node, "Sent");
          node.classList.add("is-sent");
          input.blur();
        }).catch(function (error) {
          say(node, error.message);
        }).finally(function () {
          send.disabled = false;
        });
      });
    }
    // Taps on a sticker are the sticker's: they never reach the player's tap zones or hold.
    ["pointerdown", "pointerup", "click", "touchstart"].forEach(function (name) {
      node.addEventListener(name, function (event) { event.stopPropagation(); });
    });
  }

  // Draw an item's stickers in the player's layer, over a frame box the same shape as the media's.
  function render(layer, item, root) {
    if (!layer) return;
    layer.replaceChildren();
    const stickers = (item && item.stickers) || [];
    if (!stickers.length) return;
    const frame = el("div", "sticker-frame");
    stickers.forEach(function (sticker) {
      const node = build(sticker, {});
      if (!node) return;
      wire(node, sticker, root || layer.closest("#player"));
      frame.appendChild(node);
    });
    layer.appendChild(frame);
  }

  window.StoriesStickers = {
    build: build, place: place, render: render, percent: percent,
    signInFirst: signInFirst, takeAfterSignIn: takeAfterSignIn,
  };

  const player = document.getElementById("player");
  if (player) {
    player.addEventListener("story:item", function (event) {
      render(event.detail.stickerLayer, event.detail.item, player);
    });
  }
})();

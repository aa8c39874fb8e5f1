// "Post now" or "Schedule": the create page's date and time picker, and the time helpers the
// Scheduled page shares. A time is picked in the person's own timezone (the browser's) and sent
// as ISO 8601 with that offset, so 18:30 means 18:30 where they are, whatever the server's zone.
// The window (now to 7 days ahead) comes from the server ("editor-context" / "schedule-limits").

const DAY_MS = 86400000;

function pad(n) {
  return String(n).padStart(2, "0");
}

// "2026-12-24T18:30": a datetime-local input's value for `date`, in the browser's timezone.
export function localInputValue(date) {
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
    "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
}

// "2026-12-24T18:30:00+01:00": `date` in local time with the browser's offset at that moment.
export function isoWithOffset(date) {
  const offset = -date.getTimezoneOffset(); // minutes east of UTC
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return localInputValue(date) + ":" + pad(date.getSeconds()) + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
}

// The moment a datetime-local value means in the browser's timezone; null when empty or invalid.
export function fromLocalInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value || "")) return null;
  const date = new Date(value); // a date-time without an offset is local time
  return Number.isNaN(date.getTime()) ? null : date;
}

// The browser's timezone by name ("Europe/Lisbon"), or "" when it does not say.
export function zoneName() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

// "Thu 24 Dec, 18:30" in the browser's timezone.
export function formatLocal(date) {
  return date.toLocaleString(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

// Why `date` cannot be the publish time, or "" when it can (the server checks again).
export function windowError(date, limits, now = new Date()) {
  if (!date) return "Pick a date and time for it to go live.";
  const graceMs = (limits.past_grace_seconds || 0) * 1000;
  const aheadMs = (limits.max_ahead_seconds || 7 * DAY_MS / 1000) * 1000;
  if (date.getTime() < now.getTime() - graceMs) return "That time has passed. Pick a time from now on.";
  if (date.getTime() > now.getTime() + aheadMs) return "You can schedule a story up to 7 days ahead.";
  return "";
}

// The picker's bounds (min now, max 7 days ahead, to the minute) and a sensible first value.
export function setBounds(input, limits, now = new Date()) {
  const aheadMs = (limits.max_ahead_seconds || 7 * DAY_MS / 1000) * 1000;
  input.min = localInputValue(now);
  input.max = localInputValue(new Date(now.getTime() + aheadMs - 60000));
}

// Fill every [data-zone] with the timezone's name.
export function showZone(root = document) {
  const zone = zoneName();
  root.querySelectorAll("[data-zone]").forEach(function (node) {
    node.textContent = zone ? " (" + zone + ")" : "";
  });
}

// The create page's choice. `form` holds radios name="when" (now / schedule), the picker
// #id_publish_local inside #schedule-picker, and the submit button whose words follow the choice.
// publishAt(): {iso: null} to post now, {iso: "..."} to schedule, or {error: "..."}.
export function createSchedulePicker(form, limits) {
  const picker = form.querySelector("#schedule-picker");
  const input = form.querySelector("#id_publish_local");
  const button = form.querySelector("#post-button");
  if (!picker || !input) return null;
  const postWords = button ? button.textContent : "";

  function scheduling() {
    const chosen = form.querySelector("input[name=when]:checked");
    return Boolean(chosen && chosen.value === "schedule");
  }

  function update() {
    const on = scheduling();
    picker.classList.toggle("hidden", !on);
    input.required = on;
    if (on) {
      setBounds(input, limits);
      if (!input.value) {
        // An hour from now, on the next quarter hour: a time people would pick.
        const first = new Date(Date.now() + 3600000);
        first.setMinutes(Math.ceil(first.getMinutes() / 15) * 15, 0, 0);
        input.value = localInputValue(first);
      }
    }
    if (button) button.textContent = on ? "Schedule story" : postWords;
  }

  form.querySelectorAll("input[name=when]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  showZone(form);
  update();

  return {
    scheduling: scheduling,
    publishAt: function () {
      if (!scheduling()) return { iso: null };
      const date = fromLocalInput(input.value);
      const error = windowError(date, limits);
      if (error) {
        input.focus();
        return { error: error };
      }
      return { iso: isoWithOffset(date) };
    },
  };
}

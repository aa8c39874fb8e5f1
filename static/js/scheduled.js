// The Scheduled page: times shown in the person's timezone, each reschedule form's picker set to
// the story's time, its choice sent as ISO 8601 with the browser's offset, and a question before
// a story is cancelled. The forms work as plain POSTs; this adds the timezone and the checks.
import { readJSON } from "./lib/dom.js";
import {
  formatLocal,
  fromLocalInput,
  isoWithOffset,
  localInputValue,
  setBounds,
  showZone,
  windowError,
} from "./editor-schedule.js";

const limits = readJSON("schedule-limits");
if (limits) startScheduledPage(limits);

function startScheduledPage(limits) {
  showZone();
  document.querySelectorAll("time[data-local]").forEach(function (node) {
    const date = new Date(node.getAttribute("datetime"));
    if (!Number.isNaN(date.getTime())) node.textContent = formatLocal(date);
  });

  document.querySelectorAll("form[data-reschedule]").forEach(function (form) {
    const input = form.querySelector("[data-local-input]");
    const hidden = form.querySelector("input[name=publish_at]");
    const current = new Date(hidden.value);
    setBounds(input, limits);
    if (!Number.isNaN(current.getTime())) input.value = localInputValue(current);
    form.addEventListener("submit", function (event) {
      const date = fromLocalInput(input.value);
      const error = windowError(date, limits);
      input.setCustomValidity(error);
      if (error) {
        event.preventDefault();
        input.reportValidity();
        return;
      }
      hidden.value = isoWithOffset(date);
    });
    input.addEventListener("input", function () { input.setCustomValidity(""); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
}

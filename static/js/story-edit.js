// The story edit page: the "goes live" picker shows the scheduled time in the person's own
// timezone, and a time picked there is sent as an ISO time with its offset (the server refuses
// a time without one). Without a new pick, nothing is sent and the time stays. The fields' and the
// picker's limits are the server's (json_script "edit-context").
import { readJSON } from "./lib/dom.js";
import { applyOptionLimits } from "./lib/limits.js";

const form = document.getElementById("story-edit-form");
const picker = form ? form.querySelector("[data-local-input]") : null;
const limits = readJSON("edit-context", {});
if (form) applyOptionLimits(form, limits.option_limits);

function localValue(date) {
  const pad = function (n) { return String(n).padStart(2, "0"); };
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
    "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
}

document.querySelectorAll("time[data-local]").forEach(function (node) {
  const date = new Date(node.getAttribute("datetime"));
  if (!Number.isNaN(date.getTime())) node.textContent = date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
});

if (picker) {
  const current = new Date(picker.dataset.current);
  if (!Number.isNaN(current.getTime())) picker.value = localValue(current);
  const now = new Date();
  picker.min = localValue(now);
  picker.max = localValue(new Date(now.getTime() + limits.schedule.max_ahead_seconds * 1000));
  form.addEventListener("submit", function () {
    const hidden = form.querySelector("input[name=publish_at]");
    const picked = picker.value ? new Date(picker.value) : null;
    const changed = picked && !Number.isNaN(picked.getTime()) && localValue(picked) !== localValue(current);
    hidden.value = changed ? picked.toISOString() : "";
  });
}

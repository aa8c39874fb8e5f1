// The limits the server declares for a story's options (stories/options.py), handed over in the
// page's json_script as { name: { max_length, min } }, put on the form field of the same name so
// the browser refuses on the spot what the server would refuse.
export function applyOptionLimits(form, limits) {
  Object.entries(limits || {}).forEach(function ([name, limit]) {
    const field = form.elements.namedItem(name);
    if (!field) return;
    if (limit.max_length !== undefined) field.maxLength = limit.max_length;
    if (limit.min !== undefined) field.min = String(limit.min);
  });
}

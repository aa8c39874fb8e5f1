// A caption as text with its parsed parts as links. The server parses a caption once, at upload
// (stories/captions.py), into entities {type, start, end, value} whose offsets count Unicode
// characters: hashtags link to their page, mentions to the person, http(s) links go out with
// rel="nofollow ugc noopener". Everything else goes in as text, never as markup.
import { el } from "./dom.js";

function linkFor(entity, text) {
  let href = null;
  if (entity.type === "hashtag") href = "/tags/" + encodeURIComponent(entity.value);
  else if (entity.type === "mention") href = "/@" + encodeURIComponent(entity.value);
  else if (entity.type === "link" && /^https?:\/\//i.test(String(entity.value))) href = String(entity.value);
  if (!href) return document.createTextNode(text);
  const link = el("a", "caption-" + entity.type, text);
  link.href = href;
  if (entity.type === "link") {
    link.rel = "nofollow ugc noopener";
    link.target = "_blank";
  }
  return link;
}

export function drawCaption(container, caption, entities) {
  container.replaceChildren();
  const chars = Array.from(caption || "");
  const ordered = (entities || []).slice().sort(function (a, b) { return a.start - b.start; });
  let at = 0;
  ordered.forEach(function (entity) {
    const { start, end } = entity;
    if (!(Number.isInteger(start) && Number.isInteger(end)) || start < at || end > chars.length || end <= start) return;
    if (start > at) container.append(chars.slice(at, start).join(""));
    container.append(linkFor(entity, chars.slice(start, end).join("")));
    at = end;
  });
  if (at < chars.length) container.append(chars.slice(at).join(""));
}

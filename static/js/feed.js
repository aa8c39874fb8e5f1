// The home page: the tray and the feed grid continue as they scroll into view.

// Coming back from the player through the back/forward cache would show the tray as it was
// before watching; reload so the rings that were dimmed show dimmed.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) window.location.reload();
});

// Each page ends with a link to the next (a[data-more]); without scripts it opens that page.
// Here it is fetched as a fragment when it comes near the viewport, and its items are added
// in its place: items already shown (a ranked feed can move an item across pages) are skipped.
function loadMore(link, observer) {
  if (link.dataset.loading) return;
  link.dataset.loading = "1";
  link.setAttribute("aria-busy", "true");
  const container = link.parentElement;
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("part", link.dataset.more);
  fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    })
    .then(function (html) {
      const shown = {};
      container.querySelectorAll("[data-key]").forEach(function (node) {
        shown[node.dataset.key] = true;
      });
      const template = document.createElement("template");
      template.innerHTML = html;
      const fragment = document.createDocumentFragment();
      Array.prototype.slice.call(template.content.children).forEach(function (node) {
        if (node.dataset.key && shown[node.dataset.key]) return;
        fragment.appendChild(node);
      });
      observer.unobserve(link);
      link.replaceWith(fragment);
      container.querySelectorAll("a[data-more]").forEach(function (next) {
        observer.observe(next);
      });
    })
    .catch(function () {
      // Leave the link: tapping it still opens the next page.
      delete link.dataset.loading;
      link.removeAttribute("aria-busy");
      observer.unobserve(link);
    });
}

if ("IntersectionObserver" in window) {
  const observer = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) loadMore(entry.target, observer);
      });
    },
    { rootMargin: "600px" }
  );
  document.querySelectorAll("a[data-more]").forEach(function (link) {
    observer.observe(link);
  });
}

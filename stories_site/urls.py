from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import urls as accounts_urls
from feed import people_urls
from stickers.urls import story_pages as sticker_story_pages
from stories.urls import urlpatterns as story_pages
from stories_site.api import api_not_found, json_for_api
from stories_site.health import outage_aware

api_v1 = [
    path("", include("privacy.api_urls")),  # first: DELETE users/me/ (the rest goes to accounts)
    path("", include("accounts.api_urls")),
    path("", include("feed.people_api_urls")),  # users/... and notifications/
    path("", include("stories.api_urls")),
    path("", include("feed.api_urls")),
    path("", include("stickers.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("analytics.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): the site's icon,
    # by its static name of the day (looked up per request: the manifest is a deploy's, and a
    # temporary redirect, since the hashed name changes with the icon).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/icon.svg"), permanent=False)),
    # Anything else under /api/ (an unknown path, an id of the wrong form such as a story id that
    # is not a UUID) is the API's JSON 404, with DEBUG on or off. Only paths ending in a slash:
    # without one, APPEND_SLASH still redirects to the slashed URL first, as for every route.
    re_path(r"^api/(?:.*/)?$", api_not_found),
    path("", include("privacy.urls")),
    # One `accounts` namespace for accounts' own pages and the people pages that show stories
    # (feed/people_urls.py: profile, player, people lists, follow, edit profile).
    path("", include(([*accounts_urls.urlpatterns, *people_urls.urlpatterns], "accounts"))),
    # The stories namespace: stories' own pages, and the create page, which stickers serves (it
    # composes a story's options with the stickers the editor offers; stories never imports up).
    path("stories/", include(([*sticker_story_pages, *story_pages], "stories"))),
    path("archive/", include("stories.archive_urls")),
    path("stickers/", include("stickers.urls")),
    path("report/", include("moderation.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("feed.urls")),
]

# The site's HTML error pages, except under /api/, which answers the API's JSON error shape.
handler400 = json_for_api("feed.views.bad_request", 400, "Bad request.")
handler403 = json_for_api("feed.views.permission_denied", 403, "Not allowed.")
handler404 = json_for_api("feed.views.page_not_found", 404, "Not found.")
# The database or Redis down is a 503 with Retry-After, not a 500 (stories_site/health.py).
handler500 = outage_aware(json_for_api("feed.views.server_error", 500, "Server error.", with_exception=False))

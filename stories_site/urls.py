from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from stories_site.health import outage_aware

api_v1 = [
    path("", include("accounts.api_urls")),
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
    path("", include("accounts.urls")),
    path("stories/", include("stories.urls")),
    path("stickers/", include("stickers.urls")),
    path("report/", include("moderation.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("feed.urls")),
]

handler400 = "feed.views.bad_request"
handler403 = "feed.views.permission_denied"
handler404 = "feed.views.page_not_found"
# The database or Redis down is a 503 with Retry-After, not a 500 (stories_site/health.py).
handler500 = outage_aware("feed.views.server_error")

"""Page policies that Django and django-csp do not set themselves (docs/security.md, "Page
policies"). The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY);
Referrer-Policy and Cross-Origin-Opener-Policy from Django's SecurityMiddleware."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# The create page's quick camera records with the camera and microphone; nothing else on the site
# asks for a device, and no embedded frame from elsewhere may ask for one either.
PERMISSIONS_POLICY = {
    "camera": "(self)",
    "microphone": "(self)",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "serial": "()",
    "bluetooth": "()",
    "midi": "()",
    "magnetometer": "()",
    "gyroscope": "()",
    "accelerometer": "()",
    "display-capture": "()",
    "browsing-topics": "()",
}


def permissions_policy_header(policy: dict[str, str]) -> str:
    """The header value, e.g. "camera=(self), microphone=(self), geolocation=()"."""
    return ", ".join(f"{feature}={allow}" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Sets Permissions-Policy on every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(
            getattr(settings, "STORIES_PERMISSIONS_POLICY", PERMISSIONS_POLICY)
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def storage_origins(*, bucket: str, endpoint_url: str = "", region: str = "") -> list[str]:
    """Where the browser fetches media when it lives in S3: the media views answer with a
    redirect to a presigned URL, and CSP checks the origin the redirect lands on.

    A custom endpoint (MinIO, R2, a local moto) is addressed path-style at its own origin; AWS
    itself answers at the bucket's virtual host, with or without the region."""
    if not bucket:
        return []
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}")  # virtual-hosted style
        return origins
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins

"""The OpenAPI schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): drf-spectacular's, plus
the error answers every operation can give. Apart from stories_site/api.py, which DRF imports
while it builds its generic views (pagination), because drf-spectacular needs those views."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication

from .api import ErrorSerializer

# --- The schema: every answer an operation can give ----------------------------------------------

ERROR_DESCRIPTIONS = {
    "400": "Bad input: `detail` says what, `errors` names the fields or query parameters.",
    "401": "Not signed in, or the token is not valid (or its owner is suspended).",
    "403": "Not allowed (with session auth, an unsafe method needs the CSRF token).",
    "404": "No such object, or not one you may see.",
    "413": "The request body is too large.",
    "415": "A body in a media type this operation does not read.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
    "503": "The database or Redis is briefly unavailable: try again after `Retry-After` seconds.",
}
RETRY_AFTER = {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give whatever its
    view declares: 400 when it reads a body or query parameters, 401 when it authenticates (a bad
    token answers 401 anywhere), 403 for unsafe methods under session auth (CSRF), 404 when its
    path has parameters, 413 and 415 when it reads a body, 429 when it is throttled, and 503
    (the database or Redis down) for all. All in the `Error` shape; what a view declares itself
    keeps its own description."""

    def _possible_errors(self) -> list[str]:
        view = self.view
        unsafe = self.method in ("POST", "PUT", "PATCH", "DELETE")
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        locations = {parameter.get("in") for parameter in self._get_parameters()}
        authenticators = view.get_authenticators()
        codes = []
        if has_body or "query" in locations:
            codes.append("400")
        if authenticators:
            codes.append("401")
        if unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators):
            codes.append("403")
        if "path" in locations or "{" in self.path:
            codes.append("404")
        if has_body:
            codes += ["413", "415"]
        if view.get_throttles():
            codes.append("429")
        codes.append("503")  # every operation reads the database (stories_site/health.py)
        return codes

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code in self._possible_errors():
            if code not in responses:
                described = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[code] = self._get_response_for_code(described, code, direction=direction)
        for code in ("429", "503"):
            if code in responses:
                responses[code].setdefault("headers", {})["Retry-After"] = RETRY_AFTER
        return dict(sorted(responses.items()))

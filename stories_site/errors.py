"""The one family of errors services raise, and how a page answers them (docs/conventions.md,
"Errors"). The API answers them in stories_site/api.py's exception handler.

    ServiceError      a rule refused what was asked; its text is plain and shown as it is
      Invalid         the input is wrong (400), optionally by field: Invalid({"text": ["..."]})
      NotAllowed      this person may not do this (403)
      NotFound        the thing is not there, or not for this person to see (404)

Each member is also the Django exception that meant the same before the family existed
(ValidationError, PermissionDenied, Http404), so Django's own handling still applies: an
uncaught NotAllowed or NotFound is the site's 403 or 404 page, an uncaught Invalid its 400 page
(Invalid is a BadRequest too), and forms and the admin read an Invalid like any ValidationError.

Pages that answer a refusal in their own way use the two helpers here, never their own mapping:
`flash_refusals` (a button's POST: the refusal as a message, then back where the page says) and
`form_errors` (a form: each message under its field, the rest at the top).

Plumbing: imports Django only, never an app.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import wraps
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect


class ServiceError(Exception):
    """A service refused: the request was understood, and a rule says no. `status` is the HTTP
    status both pages and the API answer with; `text` the plain sentence a person reads."""

    status: ClassVar[int] = 400
    code: str | None = None

    @property
    def text(self) -> str:
        return str(self)


class Invalid(ServiceError, ValidationError, BadRequest):
    """Wrong input (400). Takes what Django's ValidationError takes: a message, a list, or a dict
    of field -> messages (the API answers those under `errors`, pages under the form's fields)."""

    status = 400

    @property
    def text(self) -> str:
        """Every message, general ones and then each field's, as one sentence or more."""
        return " ".join(str(message) for message in self.messages)


class NotAllowed(ServiceError, PermissionDenied):
    """This person may not do this (403): not theirs, their account is suspended, a block."""

    status = 403

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class NotFound(ServiceError, Http404):
    """Not there, or not for this person to know about (404): the same answer either way."""

    status = 404

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


# --- Pages ---------------------------------------------------------------------------------------


def flash_refusals(back: Callable[..., str]) -> Callable:
    """For a button's POST (follow, block, reply, reschedule): a ServiceError the view lets
    through becomes an error message and a redirect to `back(request, *args, **kwargs)`,
    where the page that posted is. Anything else (a plain Http404 from the view's own lookup)
    passes. A lookup that raises the family (the stories gate's StoryNotFound) belongs outside
    the decorated function, or its 404 page would become a message."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except ServiceError as exc:
                messages.error(request, exc.text)
                return redirect(back(request, *args, **kwargs))

        return wrapped

    return decorator


def form_errors(
    form: Any, exc: ValidationError, *, rename: Mapping[str, str] | None = None, top: Collection[str] = ()
) -> None:
    """Put a refusal's messages on a Django form: a field's messages under that field when the
    form has it (named as in `rename`, which maps the service's name to the form's), everything
    else, and the fields in `top`, at the top of the form."""
    rename = rename or {}
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, texts in by_field.items():
        field = rename.get(name, name) if name is not None else None
        form.add_error(field if field in form.fields and field not in top else None, texts)

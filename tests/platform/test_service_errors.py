"""The services' one family of errors (stories_site/errors.py) and its two translations: the
API's exception handler (stories_site/api.py) and the pages' helpers. Each member answers the
same status on a page and in the API, and stays the Django exception it replaced."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from rest_framework import exceptions

from stories_site import api, errors


@pytest.mark.parametrize(
    ("member", "django_exception", "status"),
    [
        (errors.Invalid, ValidationError, 400),
        (errors.NotAllowed, PermissionDenied, 403),
        (errors.NotFound, Http404, 404),
    ],
)
def test_each_member_is_a_service_error_and_the_django_one_it_replaced(member, django_exception, status):
    refusal = member("No.")
    assert isinstance(refusal, errors.ServiceError)
    assert isinstance(refusal, django_exception)
    assert member.status == status
    assert refusal.text == "No."


def test_an_invalid_is_a_bad_request_so_an_uncaught_one_is_the_400_page():
    assert isinstance(errors.Invalid("No."), BadRequest)


def test_the_api_answers_each_member_in_the_one_shape():
    context: dict = {}
    by_field = api.exception_handler(errors.Invalid({"text": ["Write something first."]}), context)
    assert by_field.status_code == 400
    message = "Write something first."
    assert by_field.data == {"detail": message, "errors": {"text": [message]}}
    plain = api.exception_handler(errors.Invalid("You cannot follow yourself.", code="self"), context)
    assert (plain.status_code, plain.data) == (400, {"detail": "You cannot follow yourself."})
    refused = api.exception_handler(errors.NotAllowed("You cannot follow this person."), context)
    assert (refused.status_code, refused.data) == (403, {"detail": "You cannot follow this person."})
    missing = api.exception_handler(errors.NotFound("This person is not available."), context)
    assert (missing.status_code, missing.data) == (404, {"detail": "This person is not available."})
    bare = api.exception_handler(errors.NotFound(), context)
    assert (bare.status_code, bare.data) == (404, {"detail": exceptions.NotFound.default_detail})


def _post():
    request = RequestFactory().post("/somewhere")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_flash_refusals_turns_a_refusal_into_a_message_and_a_redirect_back():
    @errors.flash_refusals(back=lambda request, name: f"/back/{name}")
    def view(request, name):
        raise errors.NotFound("This person is not available.")

    request = _post()
    response = view(request, "ada")
    assert (response.status_code, response["Location"]) == (302, "/back/ada")
    assert [str(message) for message in get_messages(request)] == ["This person is not available."]


def test_flash_refusals_lets_everything_else_through():
    @errors.flash_refusals(back=lambda request: "/back")
    def view(request):
        raise Http404("The view's own lookup.")

    with pytest.raises(Http404):
        view(_post())

    @errors.flash_refusals(back=lambda request: "/back")
    def fine(request):
        return HttpResponse("ok")

    assert fine(_post()).content == b"ok"


class _Form(forms.Form):
    text = forms.CharField(required=False)
    password1 = forms.CharField(required=False)


def test_form_errors_puts_each_message_under_its_field_and_the_rest_on_top():
    form = _Form({})
    form.is_valid()
    refusal = errors.Invalid({"text": ["Too long."], "password": ["Too short."], "elsewhere": ["Gone."]})
    errors.form_errors(form, refusal, rename={"password": "password1"})
    assert form.errors["text"] == ["Too long."]
    assert form.errors["password1"] == ["Too short."]
    assert form.non_field_errors() == ["Gone."]

    plain = _Form({})
    plain.is_valid()
    errors.form_errors(plain, errors.Invalid("Not now."), top={"text"})
    assert plain.non_field_errors() == ["Not now."]

    kept_on_top = _Form({})
    kept_on_top.is_valid()
    errors.form_errors(kept_on_top, errors.Invalid({"text": ["Later."]}), top={"text"})
    assert kept_on_top.non_field_errors() == ["Later."]
    assert "text" not in kept_on_top.errors

"""Page forms: they collect and shape input; the rules they enforce live in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm

from . import services
from .models import User


class SignupForm(forms.Form):
    username = forms.CharField(
        max_length=User._meta.get_field("username").max_length,
        help_text=User._meta.get_field("username").help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    email = forms.EmailField(
        required=False,
        help_text="Optional. Only used to reset your password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters, not too common and not only digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return data


class LoginForm(AuthenticationForm):
    """Django's sign-in form, refusing suspended people with a reason that says until when."""

    def confirm_login_allowed(self, user: User) -> None:
        refusal = services.user_login_refusal(user=user)
        if refusal:
            raise forms.ValidationError(refusal, code="inactive")


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form, checking the old password through `authenticate` so that wrong guesses
    count toward the account's lockout (accounts/lockout.py), as at every door that takes one."""

    def __init__(self, user: User, *args, request=None, **kwargs) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        required=False,
        max_length=User._meta.get_field("display_name").max_length,
        help_text="Shown above your username.",
    )
    bio = forms.CharField(
        required=False,
        max_length=User._meta.get_field("bio").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # A plain file field: the media module, not the form, decides what is a safe image.
    avatar = forms.FileField(
        required=False,
        label="Profile photo",
        help_text="A photo; it is cropped to a square and its location data removed.",
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my photo")

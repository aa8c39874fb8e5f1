"""Forms for the report page and the admin's action pages. Rules live in services."""

from __future__ import annotations

from django import forms

from .models import DETAILS_MAX_LENGTH, REASON_MAX_LENGTH, Reason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Reason.choices, widget=forms.RadioSelect, label="What is wrong?")
    details = forms.CharField(
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Optional, up to {DETAILS_MAX_LENGTH} characters. Only moderators read it.",
    )


class ActionForm(forms.Form):
    """The intermediate page of an admin action: why, and for a suspension, how long."""

    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Goes into the audit trail. For removals, warnings and suspensions the person is told it.",
    )


class SuspendForm(ActionForm):
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Number of days. Leave empty and tick 'for good' for a permanent suspension.",
    )
    permanent = forms.BooleanField(required=False, label="For good")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("permanent") == bool(data.get("days")):
            raise forms.ValidationError("Give a number of days, or tick 'for good' (not both).")
        return data

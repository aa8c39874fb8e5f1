"""Page forms for stories: they collect input and name it; the rules they serve live in services
(an edit is checked by the options' own rule, stories/options.py, through
services.editing.story_update)."""

from __future__ import annotations

from django import forms

from .models import Audience


class StoryEditForm(forms.Form):
    """The edit page. No limits here: the options' own rule checks the values, and the page's
    script puts their limits on the fields (json_script "edit-context")."""

    caption = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="#hashtags and @mentions become links; people newly mentioned are told once.",
    )
    alt_text = forms.CharField(
        required=False,
        strip=False,
        label="Description for screen readers",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    audience = forms.CharField(
        label="Who can see it", widget=forms.RadioSelect(choices=Audience.choices), required=False
    )
    allow_comments = forms.BooleanField(required=False, label="Allow comments")
    allow_downloads = forms.BooleanField(required=False, label="Allow downloads")
    allow_replies = forms.BooleanField(required=False, label="Allow private replies and reactions")
    # A scheduled story only (the view drops it otherwise); static/js/story-edit.js fills it with
    # the time picked in the person's own timezone, as an ISO time with its offset.
    publish_at = forms.CharField(required=False, widget=forms.HiddenInput)


class ArchiveSettingsForm(forms.Form):
    """The archive switch on the settings page, and what to do with the archive when it goes off."""

    archive_stories = forms.BooleanField(required=False, label="Keep my expired stories in a private archive")
    then = forms.ChoiceField(
        required=False,
        choices=[("keep", "Keep my archived stories"), ("delete", "Delete the archive")],
        widget=forms.RadioSelect,
    )

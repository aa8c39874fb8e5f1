"""`{% profile_highlights person %}`: the circles under a profile's bio, read here so the
profile view (accounts/views.py) needs no change to show them."""

from django import template

from .. import highlight_selectors

register = template.Library()


@register.inclusion_tag("stories/_highlight_circles.html", takes_context=True)
def profile_highlights(context: template.Context, person) -> dict:
    """The person's highlights the viewer may watch, in order; their own page also links to
    the page that makes and arranges them."""
    request = context["request"]
    return {
        "person": person,
        "highlights": highlight_selectors.highlights_shown(owner=person, viewer=request.user),
        "is_self": request.user.is_authenticated and request.user.pk == person.pk,
    }

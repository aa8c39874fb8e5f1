from django.shortcuts import render

from . import selectors


def bad_request(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"status": 400, "message": "That request did not make sense."},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(
        request, "errors/error.html", {"status": 403, "message": "You cannot see this."}, status=403
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "errors/error.html",
        {"status": 404, "message": "There is nothing here. Stories last 24 hours; this one may be gone."},
        status=404,
    )


def server_error(request):
    return render(
        request,
        "errors/error.html",
        {"status": 500, "message": "Something broke on our side. Please try again."},
        status=500,
    )


def home(request):
    tab = (
        "following" if request.GET.get("tab") == "following" and request.user.is_authenticated else "for-you"
    )
    items = selectors.following(request.user) if tab == "following" else selectors.for_you(request.user)
    return render(
        request,
        "feed/home.html",
        {"tab": tab, "tray": selectors.tray(request.user), "items": items[:60]},
    )

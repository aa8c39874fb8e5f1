"""Every HTML page carries the site's page policies (docs/security.md, "Page policies"): a strict
Content-Security-Policy without inline scripts, Permissions-Policy keeping the camera and
microphone to the site itself, Referrer-Policy and Cross-Origin-Opener-Policy. The browser tests
check the pages keep working under it (tests/conftest.py fails them on any violation)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

from stories_site.page_policies import storage_origins
from tests.browser import assert_no_policy_violations, watch_policy_violations
from tests.factories import DEFAULT_PASSWORD, LiveStoryFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_page_policies(response) -> None:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert all(v == "'self'" or v.startswith("'nonce-") for v in csp["script-src"]), csp["script-src"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    permissions = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    assert permissions["camera"] == "(self)"
    assert permissions["microphone"] == "(self)"
    assert permissions["geolocation"] == "()"
    assert response["Referrer-Policy"] == "same-origin"
    # drf-spectacular opens the API docs to their OAuth2 pop-up with "unsafe-none"; everywhere
    # else the site's own "same-origin".
    expected_coop = "unsafe-none" if response.wsgi_request.path == "/api/docs/" else "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == expected_coop


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/admin/login/"])
def test_public_pages_carry_the_page_policies(client, path):
    assert_page_policies(client.get(path))


@pytest.mark.django_db
def test_signed_in_pages_carry_the_page_policies(client):
    ada = UserFactory(username="ada")
    story = LiveStoryFactory(author=ada)
    client.login(username="ada", password=DEFAULT_PASSWORD)
    for path in ["/", "/stories/create/", f"/@ada/story?item={story.pk}", f"/stories/{story.pk}/"]:
        assert_page_policies(client.get(path))


@pytest.mark.django_db
def test_the_admin_carries_the_page_policies(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password=DEFAULT_PASSWORD)
    assert_page_policies(client.get("/admin/"))
    assert_page_policies(client.get("/admin/moderation/case/"))


@pytest.mark.django_db
def test_the_api_docs_script_runs_only_by_its_nonce(client):
    response = client.get("/api/docs/")
    assert_page_policies(response)
    nonces = [v for v in directives(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1, directives(response)["script-src"]
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert inline == [f' nonce="{nonce}"'], inline
    # A fresh nonce for every response.
    assert directives(client.get("/api/docs/"))["script-src"] != directives(response)["script-src"]


@pytest.mark.django_db
def test_pages_without_a_nonce_do_not_announce_one(client):
    assert not any(v.startswith("'nonce-") for v in directives(client.get("/"))["script-src"])


@pytest.mark.django_db
def test_media_responses_keep_their_own_stricter_policy(client, settings):
    """The media views' own CSP is not replaced by the page policy."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    response = HttpResponse(b"", content_type="video/mp4")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    request = RequestFactory().get("/stories/x/media")
    middleware = CSPMiddleware(lambda request: response)
    middleware.process_request(request)
    assert middleware.process_response(request, response)["Content-Security-Policy"] == (
        "default-src 'none'; sandbox"
    )


def test_media_origins_follow_the_storage_settings():
    assert storage_origins(bucket="") == []
    assert storage_origins(bucket="media", endpoint_url="http://127.0.0.1:9000") == [
        "http://127.0.0.1:9000",
        "http://media.127.0.0.1:9000",
    ]
    assert storage_origins(bucket="media", region="eu-west-1") == [
        "https://media.s3.amazonaws.com",
        "https://media.s3.eu-west-1.amazonaws.com",
    ]


@pytest.mark.django_db
def test_the_s3_origin_is_allowed_for_images_and_media_when_configured(client):
    from django.conf import settings

    policy = {"DIRECTIVES": dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])}
    origins = storage_origins(bucket="media", endpoint_url="https://s3.example.net")
    policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"]["img-src"], *origins]
    policy["DIRECTIVES"]["media-src"] = [*policy["DIRECTIVES"]["media-src"], *origins]
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        csp = directives(client.get("/"))
    assert "https://s3.example.net" in csp["img-src"]
    assert "https://s3.example.net" in csp["media-src"]


def test_the_settings_read_the_s3_origin_from_the_environment(tmp_path):
    from tests.platform import processes

    env = processes.clean_env(
        STORIES_VAR_DIR=str(tmp_path),
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME="stories-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
    )
    code = (
        "from django.conf import settings; d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(d['img-src']); print(d['media-src'])"
    )
    result = processes.manage("shell", "-c", code, env=env, cwd=tmp_path)
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 2, result.stdout
    assert all("'https://s3.example.net'" in line for line in lines), lines


# --- Templates and scripts: nothing inline ------------------------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_no_template_has_inline_scripts_handlers_or_styles():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, HANDLER, STYLE):
                found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
            if "javascript:" in text.lower():
                found.append(f"{path.relative_to(ROOT)}: javascript: URL")
    # The API docs page's start-up script is the one allowed inline script: it carries the nonce.
    found = [f for f in found if not f.startswith("templates/drf_spectacular/") or "nonce=" not in f]
    assert found == []


def test_the_template_scan_catches_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/x.js"></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="d">{}</script>')
    assert HANDLER.search('<form onsubmit="return confirm()">')
    assert not HANDLER.search('<meta content="x">')
    assert STYLE.search('<p style="left: 1%">')
    assert STYLE.search("<style>p{}</style>")


# --- The browser: the policy is on, and a violation fails the test -------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_site_policy_blocks_inline_code_and_the_watcher_sees_it(browser, live_server):
    """Inline code slipped into a real page is refused by the real header, and the page fixtures'
    watcher records it, so a browser test that meets a violation fails."""
    context = browser.new_context()
    seen = watch_policy_violations(context)
    page = context.new_page()

    def tamper(route) -> None:
        response = route.fetch()
        body = response.text().replace(
            "</main>",
            '<script>window.ran = 1</script><button id="b" onclick="window.ran = 2">b</button></main>',
        )
        route.fulfill(response=response, body=body)

    try:
        page.route(f"{live_server.url}/", tamper)
        page.goto(f"{live_server.url}/")
        page.locator("#b").click()
        page.wait_for_timeout(200)
        assert page.evaluate("window.ran") is None
    finally:
        context.close()
    assert any("script-src" in message for message in seen), seen
    with pytest.raises(AssertionError, match="Content-Security-Policy violations"):
        assert_no_policy_violations(seen)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_and_its_moderation_preview_work_under_the_policy(desktop_page, live_server):
    """The admin's own scripts and the case page's media preview run under the page policy;
    `desktop_page` fails this test at teardown on any violation."""
    from moderation import services
    from moderation.models import Case
    from tests.stories.factories import ReadyStoryFactory

    UserFactory(username="root", is_staff=True, is_superuser=True)
    story = ReadyStoryFactory()
    services.report_create(reporter=UserFactory(), target=story, reason="spam", details="details here")
    case = Case.objects.get(story=story)
    page = desktop_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/moderation/case/")
    page.locator("#changelist").wait_for()
    page.goto(f"{live_server.url}/admin/moderation/case/{case.pk}/change/")
    preview = page.locator("#content video, #content img[width='270']").first
    preview.wait_for()
    assert preview.get_attribute("width") == "270"

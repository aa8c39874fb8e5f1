"""Lighthouse benchmark (issue #16, item 7): accessibility and performance of the pages people
land on, as Lighthouse scores them on its phone profile.

The section starts its own site on loopback, as production runs it (DEBUG off, `collectstatic`,
gunicorn with WhiteNoise) with `make run`'s demo content (`manage.py seed_demo`: six people,
clips and photos made by the real pipeline), signs in as a demo person through the real log-in
form, and runs Lighthouse (pinned in package.json: `npm ci` installs it into node_modules) with
Debian's Chromium against home, the player and create. Everything it starts is stopped on every
exit path.

Figures are Lighthouse's 0-100 scores: accessibility with the target of issue #16 (98 or more)
and performance with the target of issue #18 (95 or more). Each page is audited `RUNS` times
(BENCH_LIGHTHOUSE_RUNS, default 3): accessibility is the lowest score (it should not vary) and
performance the median, since its simulated timings move with the machine's load. Issue #18 also
asks for two measurements behind the score, so a page cannot reach 95 by luck of the load while
staying heavy: each page's total byte weight (the largest of the runs: what a phone downloads;
the home page's target is 500 KiB) and the player's largest contentful paint (the median, target
1.5 s on the phone profile).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict
from pathlib import Path

from bench.common import RESULTS, ROOT, Report, Result

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-background-networking --disable-component-update --no-first-run"
)
RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3"))
TARGETS = {"accessibility": 98, "performance": 95}
# Issue #18 goal 4: page weights (KiB, largest of the runs) and largest contentful paint (seconds,
# median of the runs) with a ceiling; a page not named here has its figure reported, unchecked.
WEIGHT_CEILINGS_KIB = {"home": 500}
LCP_CEILINGS_S = {"player": 1.5}
# Who signs in (a demo person with live stories of her own and friends with live stories).
PERSON = "alice"
PAGES = [("home", "/"), ("player", "/@bruno/story"), ("create", "/stories/create/")]


class LighthouseReport(Report):
    """Scores against a floor: the measured score, the target and whether it was reached."""

    def markdown(self) -> str:
        lines = ["| page (phone) | measured | target | ok | runs |", "|---|---|---|---|---|"]
        for r in self.results:
            measured = f"{r.measured:g}" if r.unit == "points" else f"{r.measured:g} {r.unit}"
            lines.append(f"| {r.name} | {measured} | {r.target} | {'yes' if r.ok else 'NO'} | {r.note} |")
        return "\n".join(lines)

    def save(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.section}.json"
        path.write_text(
            json.dumps({"section": self.section, "results": [asdict(r) for r in self.results]}, indent=2)
        )
        (RESULTS / f"{self.section}.md").write_text(self.markdown() + "\n")
        return path


def _session_cookie(base: str, password: str) -> str:
    """Sign in through the log-in form (CSRF token and all) and return the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        html = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not token:
        raise RuntimeError("the log-in page has no CSRF token")
    form = urllib.parse.urlencode(
        {"username": PERSON, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(request, timeout=30):
        pass
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"signing in as {PERSON} failed (no session cookie)")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies.get('csrftoken', '')}"


def _lighthouse(url: str, cookie: str, out: Path) -> dict[str, float]:
    """One Lighthouse run (its default phone profile): the category scores out of 100, and the
    page's total byte weight (KiB) and largest contentful paint (s) as `weight` and `lcp`."""
    env = dict(os.environ, CHROME_PATH=CHROME_PATH)
    command = [
        str(LIGHTHOUSE),
        url,
        "--only-categories=accessibility,performance",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        "--quiet",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0 and "Please run Lighthouse again" in result.stderr:
        # Lighthouse's own hiccup on a loaded machine (NO_NAVSTART, NO_FCP): once more.
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse {url} exited {result.returncode}: {result.stderr[-2000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    figures = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
    figures["weight"] = round(report["audits"]["total-byte-weight"]["numericValue"] / 1024)
    figures["lcp"] = round(report["audits"]["largest-contentful-paint"]["numericValue"] / 1000, 2)
    return figures


def _failing_audits(out: Path) -> list[str]:
    """The accessibility audits a run failed, for the note (what to fix when a score drops)."""
    report = json.loads(out.read_text())
    refs = report["categories"]["accessibility"]["auditRefs"]
    failed = [ref["id"] for ref in refs if ref["weight"] and report["audits"][ref["id"]]["score"] == 0]
    return failed


def _weight_and_lcp(name: str, path: str, scores: dict[str, list[float]]) -> list[Result]:
    """The page's weight (largest run) and largest contentful paint (median run) against their
    ceilings, where the page has one; elsewhere reported and always ok."""
    results = []
    weight = max(scores["weight"])
    ceiling = WEIGHT_CEILINGS_KIB.get(name)
    results.append(
        Result(
            f"{name} ({path}): total byte weight",
            weight,
            float(ceiling or weight),
            "KiB",
            f"<= {ceiling} KiB" if ceiling else "(reported)",
            ceiling is None or weight <= ceiling,
            f"largest of {', '.join(f'{s:g}' for s in scores['weight'])}",
        )
    )
    lcp = statistics.median(scores["lcp"])
    ceiling_s = LCP_CEILINGS_S.get(name)
    results.append(
        Result(
            f"{name} ({path}): largest contentful paint",
            lcp,
            float(ceiling_s or lcp),
            "s",
            f"<= {ceiling_s:g} s" if ceiling_s else "(reported)",
            ceiling_s is None or lcp <= ceiling_s,
            f"median of {', '.join(f'{s:g}' for s in scores['lcp'])}",
        )
    )
    return results


def _site(var_dir: Path):
    """migrate, collectstatic, seed_demo, then gunicorn on a free loopback port."""
    from tests.platform import processes

    env = processes.production_env(var_dir, STORIES_LOG_FORMAT="plain", LOG_LEVEL="WARNING")
    processes.embedded_dirs(var_dir)
    processes.manage("migrate", "--noinput", env=env, cwd=var_dir, timeout=600)
    processes.manage("collectstatic", "--noinput", "-v", "0", env=env, cwd=var_dir, timeout=600)
    # seed_demo is a development tool (stories_site/dev): installed for this one command only,
    # so the site measured below runs as production does, without it.
    seed_env = {**env, "STORIES_DEV_TOOLS": "1"}
    seeded = processes.manage("seed_demo", "--no-admin", env=seed_env, cwd=var_dir, timeout=1200)
    # Without a worker, the renditions tasks the processing sent wait on the broker: the
    # backfill command makes them, as an operator would for stories older than renditions.
    processes.manage("make_renditions", env=env, cwd=var_dir, timeout=1200)
    password = re.search(r"\(password: ([^)\s]+)\)", seeded.stdout)
    if not password:
        raise RuntimeError(f"seed_demo printed no demo password:\n{seeded.stdout[-2000:]}")
    port = processes.free_port()
    web = processes.start(
        "web",
        [processes.PYTHON, "-m", "gunicorn", "stories_site.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        env,
        var_dir,
        var_dir,
    )
    return web, f"http://127.0.0.1:{port}", password.group(1)


def run() -> Report:
    if not LIGHTHOUSE.exists():
        raise SystemExit(
            "lighthouse bench: node_modules/.bin/lighthouse is missing; run `npm ci` (Node.js 18+)"
        )
    if not Path(CHROME_PATH).exists():
        raise SystemExit(f"lighthouse bench: no Chromium at {CHROME_PATH} (set CHROME_PATH)")
    report = LighthouseReport("lighthouse")
    var_dir = Path(tempfile.mkdtemp(prefix="stories-lighthouse-"))
    started = time.perf_counter()
    web = None
    try:
        web, base, password = _site(var_dir)
        from tests.platform import processes

        processes.wait_for_http(f"{base}/healthz", web)
        print(f"  site up with demo content in {time.perf_counter() - started:.0f} s", flush=True)
        cookie = _session_cookie(base, password)
        (RESULTS / "lighthouse").mkdir(parents=True, exist_ok=True)
        for name, path in PAGES:
            scores: dict[str, list[float]] = {category: [] for category in [*TARGETS, "weight", "lcp"]}
            failing: set[str] = set()
            for attempt in range(RUNS):
                # Kept with the results (bench/results/lighthouse/): what each page loaded, for
                # whoever wants to know where the bytes and the milliseconds went.
                out = RESULTS / "lighthouse" / f"{name}-{attempt}.json"
                for category, score in _lighthouse(base + path, cookie, out).items():
                    scores[category].append(score)
                failing.update(_failing_audits(out))
            print(f"  {name} ({path}): {scores}", flush=True)
            for category, target in TARGETS.items():
                measured = (
                    min(scores[category])
                    if category == "accessibility"
                    else statistics.median(scores[category])
                )
                how = "lowest" if category == "accessibility" else "median"
                note = f"{how} of {', '.join(f'{s:g}' for s in scores[category])}"
                if category == "accessibility" and failing:
                    note += f"; failed audits: {', '.join(sorted(failing))}"
                report.results.append(
                    Result(
                        f"{name} ({path}): {category}",
                        measured,
                        100.0,
                        "points",
                        f">= {target}",
                        measured >= target,
                        note,
                    )
                )
            report.results.extend(_weight_and_lcp(name, path, scores))
    finally:
        if web is not None:
            web.stop()
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"  lighthouse section took {time.perf_counter() - started:.0f} s", flush=True)
    return report

"""Every command README.md shows works as written, in a checkout that `make run` set up.

The README is read, not copied: each command it shows in backticks or in a shell block must be
listed below with the way this suite runs it, so a command added to the README without a test
fails here. The manage.py commands run exactly as written, from the checkout, with nothing
exported but a throwaway STORIES_VAR_DIR (so the developer's `var/` is never touched): what
makes them work is the `.env` that `make run` writes.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import signal
import time
from pathlib import Path

import pytest

from tests.platform import processes

BASE_DIR = processes.BASE_DIR
README = BASE_DIR / "README.md"

# Commands that this module runs as written (placeholders such as <username> filled in).
RUN_HERE = {
    "make run",
    ".venv/bin/python manage.py make_moderator <username>",
    ".venv/bin/python manage.py createsuperuser",
    "manage.py seed_demo",
}
# make targets whose recipes would rewrite the checkout, delete the venv, run the suite inside
# itself or take minutes: `make -n` proves each resolves; .ci/run runs lint and test for real.
MAKE_DRY_RUN = {
    "make run PORT=8080",
    "make run HOST=0.0.0.0",
    "make test",
    'make test ARGS="-k feed -x"',
    "make test TEST_WORKERS=0",
    "make lint",
    "make fmt",
    "make bench",
    "make clean",
    "make screenshots",
}
# Commands another part of the suite runs; each names where.
RUN_ELSEWHERE = {
    "pip install -r requirements.txt": "Makefile (its venv stamps install requirements.txt)",
    "python manage.py migrate --noinput": "tests/platform/test_production_smoke.py",
    "python manage.py collectstatic --noinput": "tests/platform/test_production_smoke.py",
    # The smoke test starts the same programs on a free port, with 2 gunicorn workers and one
    # Celery worker for both queues.
    "gunicorn stories_site.wsgi -b 127.0.0.1:8000 -w 4": "tests/platform/test_production_smoke.py",
    "celery -A stories_site worker -Q default": "tests/platform/test_production_smoke.py",
    "celery -A stories_site worker -Q media --concurrency 1": "tests/platform/test_production_smoke.py",
    "celery -A stories_site beat": "tests/platform/test_production_smoke.py",
    "make test ARGS='-m cluster'": ".ci/run (a step of its own: tests/platform/test_cluster_short.py)",
}

_INLINE = re.compile(r"`([^`\n]+)`")
_COMMAND_START = ("make ", ".venv/bin/python ", "python ", "manage.py ", "pip ", "gunicorn ", "celery ")


def readme_commands() -> set[str]:
    """The commands README.md shows: inline code spans and the lines of ```sh blocks."""
    text = README.read_text()
    commands: set[str] = set()
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                commands.add(command)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    commands |= {span.strip() for span in _INLINE.findall(text) if span.startswith(_COMMAND_START)}
    return commands


def test_every_command_in_the_readme_is_run_by_the_suite():
    shown = readme_commands()
    assert {"make run", "make test"} <= shown  # the parser reads the README at all
    unlisted = shown - RUN_HERE - MAKE_DRY_RUN - set(RUN_ELSEWHERE)
    assert not unlisted, f"README commands no test runs: {sorted(unlisted)}"
    for command, where in RUN_ELSEWHERE.items():
        assert (BASE_DIR / where.split("::")[0].split(" ")[0]).exists(), (command, where)


@pytest.mark.parametrize("command", sorted(MAKE_DRY_RUN))
def test_make_targets_exist(command):
    """`make -n` parses the Makefile and resolves the target without running its recipe."""
    result = processes.run(
        ["make", "-n", *shlex.split(command)[1:]], env=processes.clean_env(), cwd=BASE_DIR, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "No rule to make target" not in result.stderr


def _checkout_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The shell of someone who cloned the repository: nothing exported but the var dir, and the
    checkout's `.env` read as settings.py reads it."""
    return processes.clean_env(STORIES_VAR_DIR=str(var_dir), STORIES_ENV_FILE=None, **extra)


def _venv_python() -> str:
    venv_python = BASE_DIR / ".venv" / "bin" / "python"
    return ".venv/bin/python" if venv_python.exists() else processes.PYTHON


def _interact(argv: list[str], env: dict[str, str], answers: list[tuple[str, str]], timeout=60) -> str:
    """Run `argv` on a pseudo-terminal (as a person at a shell would) and answer its prompts in
    order; returns everything it printed. createsuperuser only asks on a terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal, so getpass reads from it too
        os.chdir(BASE_DIR)
        os.execvpe(argv[0], argv, env)
    output, pending = b"", list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if b"Error:" in output:  # a refused answer is asked again: stop, and show why
                break
            if pending and pending[0][0].encode() in output.rsplit(b"\n", 1)[-1]:
                os.write(fd, pending.pop(0)[1].encode() + b"\n")
        else:
            raise AssertionError(f"{argv} did not finish in {timeout}s:\n{output.decode(errors='replace')}")
    finally:
        done, status = os.waitpid(pid, os.WNOHANG)
        if not done:  # still waiting at a prompt: nothing must outlive the test
            time.sleep(1)
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert not pending, f"never asked {pending[0][0]!r}:\n{text}"
    return text


@pytest.mark.slow
def test_make_run_and_the_readme_manage_commands_work_as_written(tmp_path):
    """`make run` on its embedded defaults (SQLite, filesystem broker, demo content), then the
    README's manage.py commands in that checkout, and Ctrl-C stopping everything."""
    var_dir = tmp_path / "var"
    port = processes.free_port()
    env = _checkout_env(var_dir)
    run = processes.start(
        "make-run", ["make", "run", f"PORT={port}"], env=env, cwd=BASE_DIR, log_dir=tmp_path
    )
    try:
        run.wait_for_log(f"Stories is running at http://127.0.0.1:{port}/", timeout=240)
        assert (BASE_DIR / ".env").is_file()
        log = run.log()
        demo_people = re.search(r"Log in as any of these \(password: .+\):\n\s+(.+)", log)
        assert demo_people, log[-3000:]
        someone = demo_people.group(1).split(",")[0].strip()

        status, _, body = processes.http_get(f"http://127.0.0.1:{port}/api/v1/feed/for-you/")
        assert status == 200
        assert b'"results":[{' in body.replace(b" ", b"")

        python = _venv_python()
        made = processes.run([python, "manage.py", "make_moderator", someone], env=env, cwd=BASE_DIR)
        assert f"@{someone} is now a moderator." in made.stdout

        _interact(
            [python, "manage.py", "createsuperuser"],
            env,
            [
                ("Username", "readme_root"),
                ("Email address", "root@example.com"),
                ("Password:", "a long password nobody guesses 42"),
                ("Password (again)", "a long password nobody guesses 42"),
            ],
        )
        check = processes.run(
            [
                python,
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                "from accounts.models import User; "
                f"print(User.objects.get(username='readme_root').is_superuser, "
                f"User.objects.get(username='{someone}').is_staff)",
            ],
            env=env,
            cwd=BASE_DIR,
        )
        assert check.stdout.split() == ["True", "True"]

        # Ctrl-C in the terminal: the whole foreground group gets SIGINT and every process stops.
        os.killpg(run.proc.pid, signal.SIGINT)
        run.proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while processes.group_alive(run.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not processes.group_alive(run.proc.pid), run.log()[-3000:]
    finally:
        run.stop()

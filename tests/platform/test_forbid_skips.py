"""STORIES_FORBID_SKIPS=1 (set by .ci/run) turns any skip into a failed run; xfail is not a skip."""

import subprocess
import sys
import textwrap

import pytest

from tests.platform import processes

pytestmark = pytest.mark.slow

CONFTEST = """
from tests.conftest import (  # noqa: F401
    pytest_collectreport,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
"""

TESTS = """
import pytest

def test_passes():
    pass

@pytest.mark.xfail(reason="known bug", strict=True)
def test_expected_failure():
    assert False
"""

SKIPPING = """
import pytest

def test_needs_a_server():
    pytest.skip("no server here")
"""


def run_pytest(tmp_path, files, *args):
    for name, source in files.items():
        (tmp_path / name).write_text(textwrap.dedent(source))
    env = processes.clean_env(STORIES_FORBID_SKIPS="1")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:django",
            "--rootdir",
            tmp_path,
            "-c",
            "/dev/null",
            *args,
            tmp_path,
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_skip_fails_the_run_and_is_listed(tmp_path, xdist):
    result = run_pytest(
        tmp_path, {"conftest.py": CONFTEST, "test_a.py": TESTS, "test_b.py": SKIPPING}, *xdist
    )
    assert result.returncode == 1, result.stdout
    assert "SKIPPED test_b.py::test_needs_a_server: no server here" in result.stdout


def test_xfail_alone_does_not_fail_the_run(tmp_path):
    result = run_pytest(tmp_path, {"conftest.py": CONFTEST, "test_a.py": TESTS})
    assert result.returncode == 0, result.stdout

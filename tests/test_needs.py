"""The one rule for tests that need a program of this machine (tests/needs.py and the hook
in tests/conftest.py): skipped outside CI, failed in CI. Shown on a real test with the
browser taken off PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/report/test_report_png.py::test_completion_figure_png"  # needs chromium on PATH


@pytest.mark.parametrize("ci, outcome", [(None, "1 skipped"), ("true", "1 failed")])
def test_missing_program(ci, outcome):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "BROWSER_PATH")}
    env["PATH"] = str(Path(sys.executable).parent)  # python and the venv's tools, no chromium
    if ci:
        env["CI"] = ci
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", TEST],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert outcome in out.stdout, out.stdout[-2000:]
    assert "本机缺少测试所需的程序：chromium" in out.stdout
    if ci:
        assert "CI 中不允许跳过" in out.stdout

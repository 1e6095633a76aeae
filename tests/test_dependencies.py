"""Dependency floors that match the code, two locks and the Pythons they are made for
(README, Quick start): ``dev.py app`` installs the runtime lock — no test tools, and
exactly the versions the tests ran with — ``dev.py test`` the test lock; ``dev.py``
refuses a Python the locks are not resolved for with one line."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"pytest", "pytest-xdist", "execnet", "hypothesis", "playwright", "aiosmtpd"}


def pins(lock: str) -> dict[str, str]:
    """name → version of every ``name==version`` line of ``lock``."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", text, re.MULTILINE)}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirement(name: str) -> Requirement:
    return next(r for r in map(Requirement, project()["dependencies"]) if r.name == name)


@pytest.fixture
def dev(monkeypatch):
    """dev.py as a module, with installing and running anything switched off."""
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ensure_env", lambda command: pytest.fail("dev.py installed on a refused Python"))
    monkeypatch.setattr(module.subprocess, "call", lambda cmd: pytest.fail("dev.py ran on a refused Python"))
    return module


def test_runtime_lock_holds_no_test_tools():
    assert TEST_TOOLS & set(pins("requirements.lock")) == set()
    assert TEST_TOOLS <= set(pins("requirements-test.lock"))


def test_the_app_runs_the_versions_the_tests_ran():
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    assert {n: (v, test.get(n)) for n, v in runtime.items() if test.get(n) != v} == {}


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_locks_satisfy_pyproject(lock):
    locked = pins(lock)
    wanted = [Requirement(r) for r in project()["dependencies"]]
    if lock == "requirements-test.lock":
        wanted += [Requirement(r) for r in project()["optional-dependencies"]["test"]]
    off = {r.name: locked.get(r.name.lower()) for r in wanted
           if r.name.lower() not in locked or not r.specifier.contains(locked[r.name.lower()])}
    assert off == {}


@pytest.mark.parametrize("name, refused, allowed", [
    ("pandas", ["2.2.3", "4.0.0"], ["3.0.0", "3.1.1"]),  # str dtype, copy-on-write always
    ("streamlit", ["1.66.1", "1.68.0"], ["1.67.0"]),  # st.navigation/st.Page, width="stretch", router internals
    ("duckdb", ["1.5.4", "2.0.0"], ["1.5.5"]),  # the last line with a packaged postgres extension
])
def test_floors_and_caps_match_the_code(name, refused, allowed):
    spec = requirement(name).specifier
    assert [v for v in refused if spec.contains(v)] == []
    assert [v for v in allowed if not spec.contains(v)] == []


def test_pyproject_allows_the_pythons_dev_py_allows(dev):
    spec = project()["requires-python"]
    allowed = [(3, minor) for minor in range(8, 16) if Version(f"3.{minor}.0") in SpecifierSet(spec)]
    assert allowed == list(dev.PYTHONS) == [(3, 11), (3, 12), (3, 13)]


@pytest.mark.parametrize("version", [(3, 10, 13), (3, 14, 0)])
@pytest.mark.parametrize("command", ["app", "test"])
def test_dev_py_refuses_other_pythons_with_one_line(dev, monkeypatch, capsys, version, command):
    monkeypatch.setattr(sys, "version_info", (*version, "final", 0))
    monkeypatch.setattr(sys, "version", ".".join(map(str, version)) + " (main)")
    assert dev.main([command]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "3.11、3.12、3.13" in err and ".".join(map(str, version)) in err


@pytest.mark.parametrize("args, expected", [
    ([], ["-n", "W", "--dist", "loadscope"]),
    (["tests/test_cli.py", "-x"], ["-n", "W", "--dist", "loadscope", "tests/test_cli.py", "-x"]),
    (["-n", "0"], ["-n", "0"]),
    (["-n3", "-q"], ["-n3", "-q"]),
    (["--numprocesses=1"], ["--numprocesses=1"]),
    (["-p", "no:xdist", "-q"], ["-p", "no:xdist", "-q"]),
    (["--no-header"], ["-n", "W", "--dist", "loadscope", "--no-header"]),
])
def test_dev_py_test_spreads_the_suite_over_workers_unless_told(dev, monkeypatch, args, expected):
    monkeypatch.setattr(dev.os, "cpu_count", lambda: 2)
    assert dev.test_args(args) == [("2" if a == "W" else a) for a in expected]
    monkeypatch.setattr(dev.os, "cpu_count", lambda: 64)
    assert dev.test_args([])[:2] == ["-n", "4"]
    monkeypatch.setattr(dev.os, "cpu_count", lambda: None)
    assert dev.test_args([])[:2] == ["-n", "2"]

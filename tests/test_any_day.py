"""Any day of the year: the demo city as a newcomer makes it — `indicators init --demo`,
then `indicators status --json` without --period, as subprocesses with INDICATORS_TODAY
set — and the pages opened on those days, for days whose latest due month falls across
the year (December and January included). The expected months are written out by hand.

Two of those days (2027-01-03, 2027-03-10) are days issue 8 names; on every run, too,
the demo's and the CLI's own tests (tests/test_demo.py, tests/test_cli.py,
tests/tasks/test_cli_tasks.py: aims, files, status numbers recomputed by hand, 滞后说明)
run as a pytest of their own on a third, a December day, as `INDICATORS_TODAY=2027-12-20
pytest …` would run them by hand.

This runs on every `python3 dev.py test` (and so in CI); tests/testdate.py explains how to
run the whole suite as of another day.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)

from indicators.rules import periods

# day → the latest due month on it (returns due by the 5th of the next month)
DAYS = {
    "2027-01-03": "2026-11",  # December's returns are not due until 5 January
    "2027-01-10": "2026-12",  # a December as-of month
    "2027-02-10": "2027-01",  # a January as-of month
    "2027-03-10": "2027-02",
}
MIX = {"done", "on_track", "lagging", "far_behind", "missing", "not_due"}
# the suite's own demo and status tests, run again as of these days
OTHER_DAYS = {"2027-12-20": "2027-11"}  # day → its latest due month (one more: a run costs minutes)
DATE_TESTS = ["tests/test_demo.py", "tests/test_cli.py", "tests/tasks/test_cli_tasks.py"]
ROOT = Path(__file__).resolve().parent.parent


def cli(*args, today: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INDICATORS_TODAY": today}
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture(scope="module", params=list(DAYS))
def day_db(request, tmp_path_factory):
    """(day, the demo database `indicators init --demo` makes on it)."""
    today = request.param
    path = tmp_path_factory.mktemp(f"day-{today}") / "demo.duckdb"
    out = cli("init", "--demo", "--db", path, today=today)
    assert out.returncode == 0, out.stderr
    assert f"截至 {periods.label(DAYS[today])}" in out.stdout
    return today, path


def test_status_without_period_shows_the_full_mix(day_db):
    today, path = day_db
    out = cli("status", "--json", "--db", path, today=today)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["period"] for r in rows} == {DAYS[today]}
    statuses = [r["status"] for r in rows]
    # in December 序时 is 100 %: reaching it is completing the year, so 达序时 cannot show
    wanted = MIX - {"on_track"} if DAYS[today].endswith("-12") else MIX
    assert {s: statuses.count(s) >= 3 for s in wanted} == dict.fromkeys(wanted, True), sorted(statuses)
    assert "no_target" not in statuses
    assert {r["org_unit_name"] for r in rows if r["status"] == "missing"} == {"青溪县"}  # the one that has not sent it


def test_pages_open_on_the_latest_due_month(day_db, monkeypatch):
    today, path = day_db
    monkeypatch.setenv("INDICATORS_TODAY", today)
    month = DAYS[today]
    overview = open_page("pages/overview.py", path, monkeypatch)
    assert not overview.exception
    assert overview.sidebar.selectbox(key="w_month").value == month
    assert any(f"数据截至 {periods.label(month)}" in h.body for h in overview.get("html"))
    batches = open_page("pages/batches.py", path, monkeypatch)
    assert not batches.exception
    assert batches.selectbox(key="chase_month").value == month
    assert batches.code[0].value.startswith(f"关于报送{periods.label(month)}")
    assert "青溪县" in batches.code[0].value  # the district that has not sent it


@pytest.mark.parametrize("today", OTHER_DAYS)
def test_demo_and_cli_tests_pass_on_another_day(today, tmp_path):
    """The whole of DATE_TESTS, as of ``today`` (tests/testdate.py follows INDICATORS_TODAY),
    in a pytest of its own; bounded by its timeout, the way a hung run must not hang CI."""
    env = {**os.environ, "INDICATORS_TODAY": today}
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--basetemp",
                          str(tmp_path / "run"), *DATE_TESTS], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-2000:]
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert f"suite day {today} (latest due month {OTHER_DAYS[today]})" in out.stdout  # it lived on that day
    assert " passed" in summary and "skipped" not in summary and "deselected" not in summary, summary

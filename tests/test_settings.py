"""Settings (indicators.settings): read once at the edge, every value checked, every field
documented. A bad value is one Chinese line naming the setting — exit 2 from the CLI, the
same line on a page."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)

from indicators.settings import SettingError, Settings, load

ROOT = Path(__file__).resolve().parent.parent


def test_nothing_set_gives_the_defaults():
    assert load({}) == Settings()


@pytest.mark.parametrize("env, field, value", [
    ({"INDICATORS_DB": "/srv/ind.duckdb"}, "db_path", Path("/srv/ind.duckdb")),
    ({"INDICATORS_PACING": "linear"}, "pacing", "linear"),
    ({"INDICATORS_DONE_AT": "0.95"}, "done_at", 0.95),
    ({"INDICATORS_LAGGING_FROM_PP": "-5"}, "lagging_from_pp", -5.0),
    ({"INDICATORS_LAGGING_FROM_PP": "−7.5"}, "lagging_from_pp", -7.5),  # a typographic minus
    ({"INDICATORS_DEADLINE_DAY": "10"}, "deadline_day", 10),
    ({"INDICATORS_TZ": "Asia/Urumqi"}, "tz", "Asia/Urumqi"),
    ({"INDICATORS_TODAY": "2027-01-05"}, "today", dt.date(2027, 1, 5)),
    ({"INDICATORS_SOURCE": "省科技厅"}, "source_label", "省科技厅"),
    ({"BROWSER_PATH": "/opt/chrome/chrome"}, "browser_path", Path("/opt/chrome/chrome")),
    ({"INDICATORS_PACING": ""}, "pacing", "last_year"),  # empty counts as unset
])
def test_each_setting_is_read(env, field, value):
    assert getattr(load(env), field) == value


@pytest.mark.parametrize("name, raw", [
    ("INDICATORS_LAGGING_FROM_PP", "abc"),
    ("INDICATORS_LAGGING_FROM_PP", "5"),  # above zero: nothing would ever be 滞后
    ("INDICATORS_PACING", "weekly"),
    ("INDICATORS_DEADLINE_DAY", "40"),
    ("INDICATORS_DEADLINE_DAY", "5th"),
    ("INDICATORS_DONE_AT", "nan"),
    ("INDICATORS_TZ", "Mars/Olympus"),
    ("INDICATORS_TODAY", "2027-13-01"),
    ("INDICATORS_TODAY", "5 Jan 2027"),
])
def test_a_bad_value_is_one_line_naming_the_setting(name, raw):
    with pytest.raises(SettingError) as err:
        load({name: raw})
    message = str(err.value)
    assert message.startswith(f"设置 {name}={raw} 无效：应为") and "\n" not in message


def test_secrets_fill_what_the_environment_leaves_unset():
    secrets = {"INDICATORS_DEADLINE_DAY": 8, "INDICATORS_PACING": "linear"}  # toml gives numbers as numbers
    s = load({"INDICATORS_PACING": "last_year"}, secrets=secrets)
    assert (s.deadline_day, s.pacing) == (8, "last_year")  # the environment wins
    with pytest.raises(SettingError, match="INDICATORS_DEADLINE_DAY=0"):
        load({}, secrets={"INDICATORS_DEADLINE_DAY": 0})


@pytest.mark.parametrize("name, raw", [
    ("INDICATORS_LAGGING_FROM_PP", "abc"), ("INDICATORS_PACING", "weekly"), ("INDICATORS_DEADLINE_DAY", "40"),
    ("INDICATORS_TZ", "Nowhere/City"), ("INDICATORS_TODAY", "2027-02-30"),
])
def test_cli_exits_2_with_the_line(name, raw, tmp_path):
    out = subprocess.run([sys.executable, "-m", "indicators", "status", "--db", str(tmp_path / "x.duckdb")],
                         capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", name: raw})
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]  # one line
    assert out.stderr.startswith(f"设置 {name}={raw} 无效") and "Traceback" not in out.stderr


def test_the_app_shows_the_same_line(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORS_PACING", "weekly")
    at = open_page("pages/overview.py", tmp_path / "x.duckdb", monkeypatch)
    assert not at.exception
    assert at.error[0].value.startswith("设置 INDICATORS_PACING=weekly 无效：应为 last_year")
    assert not at.title  # the page stopped before drawing anything else


def test_every_setting_is_in_the_readme_table():
    """datasette-style meta-test: a new field without its README row fails here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    for f in fields(Settings):
        env = f.metadata["env"]
        row = next((r for r in rows if f"`{env}`" in r), None)
        assert row is not None, f"README settings table has no row for {env}"
        assert f"`{f.name}`" in row, f"README row of {env} does not name the field {f.name}"
        assert f.metadata["doc"], f.name


def test_only_the_edges_read_the_environment():
    """The settings are read at the edge and passed down: no module reads os.environ or
    os.getenv itself (settings.py's load is the one place)."""
    src = ROOT / "src" / "indicators"
    readers = [str(p.relative_to(src)) for p in src.rglob("*.py")
               if re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text(encoding="utf-8"))]
    assert readers == ["settings.py"]

# Only the clock reads the time: tests/test_architecture.py::test_only_the_clock_reads_the_time

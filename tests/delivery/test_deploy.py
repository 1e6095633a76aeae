"""deploy/: the systemd units verify and run ``indicators send due``; the cron line is the same."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_service_runs_send_due_once_per_start():
    service = unit("indicators-send.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"].endswith("/.venv/bin/indicators send due")
    assert service["EnvironmentFile"] == "/etc/indicators/send.env"  # secrets live there, not in the unit


def test_timer_fires_every_quarter_hour_and_catches_up():
    timer = unit("indicators-send.timer")["Timer"]
    assert (timer["OnCalendar"], timer["Persistent"], timer["Unit"]) == (
        "*-*-* *:00/15:00", "true", "indicators-send.service")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_verify(tmp_path):
    """systemd's own check, with the paths of this checkout instead of /opt/indicators."""
    text = (DEPLOY / "indicators-send.service").read_text(encoding="utf-8")
    text = (text.replace("/opt/indicators/.venv/bin/indicators", str(Path(sys.executable).parent / "indicators"))
            .replace("/opt/indicators/data", str(tmp_path)).replace("WorkingDirectory=/opt/indicators",
                                                                   f"WorkingDirectory={tmp_path}")
            .replace("EnvironmentFile=/etc", "EnvironmentFile=-/etc"))
    (tmp_path / "indicators-send.service").write_text(text, encoding="utf-8")
    shutil.copy(DEPLOY / "indicators-send.timer", tmp_path)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "indicators-send.service"),
                           str(tmp_path / "indicators-send.timer")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_cron_line_runs_the_same_command():
    lines = [x for x in (DEPLOY / "crontab.example").read_text(encoding="utf-8").splitlines()
             if x.strip() and not x.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"]
    assert ".venv/bin/indicators send due" in fields[5] and "flock -n" in fields[5]
    assert subprocess.run(["bash", "-n", "-c", fields[5]], timeout=10).returncode == 0


def test_env_example_names_only_settings_and_holds_no_secret():
    from indicators.settings import described
    known = {env for _, env, _, _ in described()}
    lines = [x for x in (DEPLOY / "send.env.example").read_text(encoding="utf-8").splitlines()
             if x.strip() and not x.lstrip().startswith("#")]
    names = {x.split("=", 1)[0] for x in lines}
    assert names <= known, names - known
    # cron sources it with the shell (systemd reads it itself): it must parse as shell too
    shown = subprocess.run(["bash", "-c", f"set -a && . {DEPLOY / 'send.env.example'} && env"],
                           capture_output=True, text=True, timeout=10, env={"PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    assert "INDICATORS_SMTP_FROM=示例市科技局月调度 <yddd@kjj.example.invalid>" in shown.stdout.splitlines()
    for secret in ("INDICATORS_SMTP_PASSWORD", "INDICATORS_DINGTALK_TOKEN", "INDICATORS_DINGTALK_SECRET",
                   "INDICATORS_WECOM_KEY"):
        assert f"{secret}=" in lines  # present, and empty

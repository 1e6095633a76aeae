"""Deployment as real parts on this machine: HAProxy with a sticky cookie in front of
app replicas on one PostgreSQL (deploy/), started and stopped as a user would."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from coroutines import run_apart
from needs import need

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "bench"))
from cluster import Cluster, haproxy_config  # noqa: E402
from localpg import find_bin, free_port  # noqa: E402


@pytest.fixture(scope="module")
def tools():
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        need("haproxy（apt-get install haproxy）")
    if find_bin() is None:
        need("PostgreSQL（apt-get install postgresql）")


def test_the_proxy_config_pins_sessions_with_a_cookie(tools, tmp_path):
    text = haproxy_config(9000, [7001, 7002, 7003])
    assert "bind 127.0.0.1:9000" in text and "cookie SRV insert indirect nocache" in text
    assert [line.split()[1:3] for line in text.splitlines() if line.strip().startswith("server ")] == [
        ["app1", "127.0.0.1:7001"], ["app2", "127.0.0.1:7002"], ["app3", "127.0.0.1:7003"]]
    assert "timeout tunnel" in text  # websockets stay open for the life of the tab
    cfg = tmp_path / "h.cfg"
    cfg.write_text(text)
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    assert subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)]).returncode == 0
    assert subprocess.run([haproxy, "-c", "-q", "-f", str(ROOT / "deploy" / "haproxy.cfg")]).returncode == 0


def test_two_replicas_behind_the_proxy_serve_sessions_pinned_to_each(tools, demo_db_master, tmp_path):
    from stclient import Session

    from indicators.demo.accounts import DEMO_PASSWORD

    async def browse(url):
        sessions = [Session(url) for _ in range(4)]
        for s in sessions:
            await s.open()
        first = await asyncio.gather(*(s.sign_in("admin", DEMO_PASSWORD) for s in sessions))
        again = await asyncio.gather(*(s.run("month=2026-09", page="indicator") for s in sessions))
        for s in sessions:
            await s.close()
        return [s.server for s in sessions], first + again

    with Cluster(replicas=2, demo_from=demo_db_master, log_dir=tmp_path) as cluster:
        assert str(cluster.db).startswith("postgresql://postgres@127.0.0.1:")
        servers, runs = run_apart(browse(cluster.url))
    assert sorted(servers) == ["app1", "app1", "app2", "app2"]  # round-robin on arrival, then sticky
    assert all(r.errors == [] and r.elements > 5 for r in runs), [r.errors for r in runs]


def test_dev_py_cluster_stops_everything_on_ctrl_c(tools, demo_db_master):
    port = free_port()
    # its own process group, so that whatever happens below nothing it started outlives the test
    proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "cluster.py"), "--replicas", "1", "--port", str(port),
                             "--from", str(demo_db_master)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ}, start_new_session=True, preexec_fn=_like_a_background_job)
    work = None
    try:
        lines = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "集群已启动" in line or not line:
                break
        assert "集群已启动" in lines[-1], "".join(lines)
        work = lines[-1].split("日志 ")[1].split("）")[0]
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        rest, _ = proc.communicate(timeout=300)  # a bound, not a timing: stopping is seconds when the machine is idle
        assert proc.returncode == 0, rest
        assert "正在停止" in rest and not Path(work).exists()
        leftovers = subprocess.run(["pgrep", "-f", f"{port}|{work}"], capture_output=True, text=True).stdout.split()
        assert leftovers == [], leftovers
    finally:
        _stop_everything(proc, port, work)


def _like_a_background_job() -> None:
    """A shell starts background jobs with SIGINT ignored, and a Python started that way keeps
    it ignored: the case where Ctrl-C used to leave the cluster running (whole-suite runs
    started with `&` timed out here). The cluster must stop on SIGINT all the same."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_everything(proc: subprocess.Popen, port: int, work: str | None) -> None:
    """After a failed or timed-out run: ask the cluster script to stop what it started
    (SIGTERM: its replicas, HAProxy and PostgreSQL run in sessions of their own), and kill
    its group if it does not; then anything left that names its port or work folder."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
    pattern = f"{port}|{work}" if work else str(port)
    subprocess.run(["pkill", "-KILL", "-f", pattern], capture_output=True)

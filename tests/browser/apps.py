"""Serving the app for browser tests: a free localhost port, ``streamlit run`` of a script
in its own process group, waiting until it is healthy, stopping it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(script: Path, env: dict, port: int) -> subprocess.Popen:
    """The server's output goes to a file (``proc.log``), never to an unread pipe: once a
    pipe's 64 KiB are full, the server's next log line blocks the thread writing it — a
    page's run that logs a warning then never ends, and a test waits in vain for it."""
    cmd = [str(BIN / "streamlit"), "run", str(script), "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = tempfile.NamedTemporaryFile(prefix=f"streamlit-{port}-", suffix=".log", delete=False)
    try:
        proc = subprocess.Popen(cmd, cwd=str(ROOT), env={**env, "PYTHONUNBUFFERED": "1"}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        log.close()  # the child holds its own descriptor
    proc.log = Path(log.name)
    return proc


def server_output(proc: subprocess.Popen, tail: int = 20_000) -> str:
    """The last ``tail`` characters the server wrote."""
    return proc.log.read_text(errors="replace")[-tail:]


def wait_healthy(proc: subprocess.Popen, url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited:\n" + server_output(proc))
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} not healthy after {timeout}s")


def stop_app(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the group we started (start_new_session)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.log.unlink(missing_ok=True)

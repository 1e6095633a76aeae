#!/usr/bin/env python3
"""The two commands of the quick start, on a machine that has only Python ≥ 3.11.

    python3 dev.py app    # start the web app (first start creates data/indicators.duckdb with the demo city)
    python3 dev.py test   # run the whole test suite (browser tests need Debian's chromium),
                          # on 2–4 worker processes (pytest-xdist; -n 0 for one process)
    python3 dev.py cluster [--replicas N] [--port P]   # PostgreSQL + N replicas + HAProxy on
                                                       # 127.0.0.1, stopped with Ctrl-C (deploy/cluster.py)

Both create ``.venv`` on first use (and bring it up to date whenever a lock changes), so
nothing needs installing by hand: ``app`` installs the runtime lock ``requirements.lock``,
``test`` the test lock ``requirements-test.lock`` (runtime + pytest, hypothesis, playwright,
aiosmtpd). The locks are resolved for CPython 3.11, 3.12 and 3.13; other versions are refused.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
LOCKS = {"app": ROOT / "requirements.lock", "test": ROOT / "requirements-test.lock"}
STAMP = VENV / ".installed-lock"
PYTHONS = ((3, 11), (3, 12), (3, 13))  # what the locks are resolved for


def _digest(lock: Path) -> str:
    return hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_env(command: str) -> None:
    """Install the lock ``command`` needs. The test lock holds the runtime lock, so an
    environment made for the tests also runs the app (but not the other way round)."""
    ok = {_digest(LOCKS["test"])} | ({_digest(LOCKS["app"])} if command == "app" else set())
    have = STAMP.read_text().strip() if STAMP.exists() else ""
    if have in ok and PY.exists():
        return
    if not PY.exists():
        print("· 创建虚拟环境 .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = LOCKS[command]
    print(f"· 安装锁定版本的依赖（{lock.name}）…", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["-r", str(lock)], check=True)
    subprocess.run(pip + ["--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(_digest(lock))


def test_args(args: list) -> list:
    """pytest's arguments for ``dev.py test ARGS``: the suite spread over the machine's
    cores (pytest-xdist; 2 to 4 worker processes, each test module kept on one worker so
    its module fixtures — an app server, a browser — start once), unless ``ARGS`` choose
    the workers themselves (``-n 0`` runs everything in this one process)."""
    chosen = any(a == "-n" or (a.startswith("-n") and not a.startswith("--")) or a.startswith("--numprocesses")
                 or a.endswith("no:xdist") for a in args)
    if chosen:
        return list(args)
    workers = max(2, min(4, os.cpu_count() or 2))
    return ["-n", str(workers), "--dist", "loadscope", *args]


def main(argv: list) -> int:  # no newer syntax: an old Python must reach the refusal
    if len(argv) < 1 or argv[0] not in ("app", "test", "cluster"):
        print(__doc__)
        return 2
    if tuple(sys.version_info[:2]) not in PYTHONS:
        wanted = "、".join(f"{a}.{b}" for a, b in PYTHONS)
        print(f"需要 Python {wanted}（依赖锁定文件按这些版本解析），当前是 {sys.version.split()[0]}。"
              f"请用其中之一运行，如 python3.11 dev.py {argv[0]}", file=sys.stderr)
        return 2
    ensure_env("app" if argv[0] == "cluster" else argv[0])
    os.chdir(ROOT)
    if argv[0] == "app":
        port = os.environ.get("PORT", "8501")
        cmd = [str(PY), "-m", "streamlit", "run", "serve.py", "--server.port", port,
               "--browser.gatherUsageStats", "false", *argv[1:]]
    elif argv[0] == "cluster":
        cmd = [str(PY), str(ROOT / "deploy" / "cluster.py"), *argv[1:]]
    else:
        cmd = [str(PY), "-m", "pytest", *test_args(argv[1:])]
    child = subprocess.Popen(cmd)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the child too: let it finish cleaning up
            continue


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

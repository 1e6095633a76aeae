#!/usr/bin/env python3
"""The two commands of the quick start, on a machine that has only Python ≥ 3.11.

    python3 dev.py app    # start the web app (first start creates data/indicators.duckdb with the demo city)
    python3 dev.py test   # run the whole test suite (browser tests need Debian's chromium)

Both create ``.venv`` from the pinned ``requirements.lock`` on first use (and again
whenever the lock file changes), so nothing needs installing by hand.
"""

from __future__ import annotations

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
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock"


def ensure_env() -> None:
    want = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == want and PY.exists():
        return
    if not PY.exists():
        print("· 创建虚拟环境 .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("· 安装锁定版本的依赖（requirements.lock）…", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["-r", str(LOCK)], check=True)
    subprocess.run(pip + ["--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(want)


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in ("app", "test"):
        print(__doc__)
        return 2
    if sys.version_info < (3, 11):
        print("需要 Python ≥ 3.11", file=sys.stderr)
        return 2
    ensure_env()
    os.chdir(ROOT)
    if argv[0] == "app":
        port = os.environ.get("PORT", "8501")
        cmd = [str(PY), "-m", "streamlit", "run", "app.py", "--server.port", port,
               "--browser.gatherUsageStats", "false", *argv[1:]]
    else:
        cmd = [str(PY), "-m", "pytest", *argv[1:]]
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

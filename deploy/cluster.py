"""A throwaway cluster on this machine: PostgreSQL, N app replicas, HAProxy in front.

    python3 dev.py cluster                      # 2 replicas on a new PostgreSQL with the demo city
    python3 dev.py cluster --replicas 3 --port 8080
    python3 dev.py cluster --db postgresql://USER@HOST:PORT/DB    # an existing PostgreSQL instead
    python3 dev.py cluster --from data/indicators.duckdb          # your data instead of the demo city

Everything listens on 127.0.0.1 only, on free ports (the proxy on ``--port``, default
8080). The throwaway PostgreSQL lives in a temporary directory (``deploy/localpg.py``)
and is filled with the demo city (built as a DuckDB file, then ``indicators migrate``);
Ctrl-C stops the proxy, the replicas and PostgreSQL and removes the temporary files.
The HAProxy configuration is ``deploy/haproxy.cfg`` with its port and server lines
rewritten for the replicas started here. ``bench/bench_load.py`` uses ``Cluster`` too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from localpg import LocalPostgres, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CFG = Path(__file__).resolve().parent / "haproxy.cfg"
PY = Path(sys.executable)


def haproxy_config(port: int, replicas: list[int]) -> str:
    """``deploy/haproxy.cfg`` for a proxy on ``port`` in front of ``replicas`` (ports)."""
    text = HAPROXY_CFG.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s*bind\s+)127\.0\.0\.1:\d+", rf"\g<1>127.0.0.1:{port}", text)
    template = re.search(r"(?m)^(\s*)server\s+\S+\s+127\.0\.0\.1:\d+(.*)$", text)
    indent, rest = template.group(1), template.group(2)
    servers = "\n".join(f"{indent}server app{i} 127.0.0.1:{p}" + re.sub(r"cookie \S+", f"cookie app{i}", rest)
                        for i, p in enumerate(replicas, 1))
    text = re.sub(r"(?m)^\s*server\s+\S+\s+127\.0\.0\.1:\d+.*$\n?", "", text)
    return text.rstrip("\n") + "\n" + servers + "\n"


def wait_healthy(port: int, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"replica on port {port} did not become healthy in {timeout:.0f} s")


def demo_database(url: str, work: Path, env: dict, source: Path | None = None) -> None:
    """The demo city into ``url``: built as a DuckDB file (fast) unless ``source`` is
    one already, then copied over with ``indicators migrate``."""
    if source is None:
        source = work / "demo.duckdb"
        subprocess.run([str(PY), "-m", "indicators", "init", "--demo", "--db", str(source)],
                       check=True, env=env, cwd=ROOT)
    subprocess.run([str(PY), "-m", "indicators", "migrate", "--from", str(source), "--to", url],
                   check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


class Cluster:
    """PostgreSQL (or the database ``db``), ``replicas`` Streamlit servers on it and
    HAProxy on ``port``. ``start()`` returns once every part answers; ``stop()`` ends
    them all in reverse order."""

    def __init__(self, *, replicas: int = 2, port: int | None = None, db: str | None = None,
                 demo: bool = True, demo_from: Path | None = None, proxy: bool = True, log_dir: Path | None = None):
        self.replicas, self.port, self.db, self.proxy = replicas, port or free_port(), db, proxy
        self.demo, self.demo_from = demo, demo_from
        self.work = Path(tempfile.mkdtemp(prefix="indicators-cluster-"))
        self.log_dir = log_dir or self.work
        self.postgres: LocalPostgres | None = None
        self.procs: list[subprocess.Popen] = []
        self.replica_ports: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port if self.proxy else self.replica_ports[0]}"

    def start(self) -> Cluster:
        env = {**os.environ}
        if self.db is None:
            self.postgres = LocalPostgres(fast=False).start()
            self.db = self.postgres.create_database("indicators")
            if self.demo:
                demo_database(self.db, self.work, env, self.demo_from)
        env["INDICATORS_DB"] = str(self.db)
        # every replica signs the session cookies with the same key: a reload may reach either
        env.setdefault("INDICATORS_SESSION_KEY_FILE", str(self.work / "session.key"))
        for i in range(self.replicas):
            self._start_replica(i + 1, env)
        for p in self.replica_ports:
            wait_healthy(p)
        if self.proxy:
            self._start_haproxy()
        return self

    def _start_replica(self, n: int, env: dict) -> None:
        port = free_port()
        log = open(self.log_dir / f"replica{n}.log", "w")
        self.procs.append(subprocess.Popen(
            [str(PY), "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        self.replica_ports.append(port)

    def _start_haproxy(self) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        cfg = self.work / "haproxy.cfg"
        cfg.write_text(haproxy_config(self.port, self.replica_ports), encoding="utf-8")
        subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], check=True)
        log = open(self.log_dir / "haproxy.log", "w")
        self.procs.append(subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True))
        if not wait_for_port(self.port):
            raise RuntimeError(f"haproxy did not listen on {self.port}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.py cluster", description="本机临时集群：PostgreSQL + 多个应用副本 + HAProxy")
    parser.add_argument("--replicas", type=int, default=2, help="应用副本数（默认 2）")
    parser.add_argument("--port", type=int, default=8080, help="HAProxy 监听端口（默认 8080，仅 127.0.0.1）")
    parser.add_argument("--db", default=None, help="使用已有的 PostgreSQL（postgresql://…）而不是新建临时库")
    parser.add_argument("--from", dest="source", type=Path, default=None,
                        help="把这个 DuckDB 数据库复制进临时库（默认载入示例市）")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 16:
        parser.error("副本数应为 1–16")
    if args.source is not None and not args.source.is_file():
        parser.error(f"文件不存在：{args.source}")
    cluster = Cluster(replicas=args.replicas, port=args.port, db=args.db, demo_from=args.source)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    # Ctrl-C stops the cluster even when this process was started with SIGINT ignored (a shell
    # ignores it for background jobs, and Python then keeps it ignored): without this line such
    # a cluster never stops on Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        what = f"复制 {args.source}" if args.source else "载入示例市"
        print(f"· 启动 PostgreSQL、{what}、启动应用副本和 HAProxy ……", flush=True)
        cluster.start()
        print(f"集群已启动：打开 http://127.0.0.1:{cluster.port}（{args.replicas} 个副本："
              f"{', '.join(map(str, cluster.replica_ports))}；数据库 {cluster.db}；日志 {cluster.log_dir}）。"
              "按 Ctrl-C 停止。", flush=True)
        while not stop["now"] and all(p.poll() is None for p in cluster.procs):
            time.sleep(0.5)
        dead = [p.args[0] for p in cluster.procs if p.poll() is not None]
        if dead:
            print(f"有进程意外退出（{dead}），正在停止集群。日志见 {cluster.log_dir}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            print("· 正在停止 HAProxy、应用副本和 PostgreSQL ……", flush=True)
        except OSError:  # nobody reads our output any more (a closed pipe): stop all the same
            pass
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Load: N concurrent sessions speaking Streamlit's protocol, against
A = 1 replica on the embedded DuckDB file and B = 2 replicas on PostgreSQL, each behind
HAProxy (deploy/haproxy.cfg, sticky cookie), everything on 127.0.0.1.

    .venv/bin/python bench/bench_load.py [--sessions 50] [--seconds 60] [--rounds 5] [--think 3 8]

A session is a browser tab without the browser (bench/stclient.py): it opens the app,
then reruns it — a month, another page, a unit — pausing a random think time between
clicks, for ``--seconds``; a rerun's time is from the click (``rerun_script``) to
``script_finished``. An error is a run with an exception or an error box on the page,
a timeout, or a broken connection. The setups take turns (A B A B …, ``--rounds``
pairs); each turn first times one session alone (the single-session p50) and then the N
sessions at once. The demo city (``indicators init --demo``) is the data of both: one
DuckDB file, copied to PostgreSQL with ``indicators migrate``. Prints what README
quotes; the target is 0 errors and p95 ≤ 3× the single-session p50.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "bench"))
from cluster import Cluster  # noqa: E402
from stclient import Session  # noqa: E402

from indicators.demo.accounts import DEMO_PASSWORD  # noqa: E402

OUT = ROOT / "bench" / "out"
MONTHS = ("2026-10", "2026-09", "2026-08", "2026-06", "2026-03")
SIGN_IN = ("leader", DEMO_PASSWORD)  # the demo city's 领导 account: every session signs in first
# what a leader clicks: (page url path, query string)
CLICKS = [("", "month={m}"), ("indicator", "month={m}"), ("responsibility", "month={m}"),
          ("", "month={m}&unit=GXQ"), ("indicator", "month={m}&ind=GXQY"), ("", "month={m}&briefing=1")]


@dataclass
class Tally:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.seconds += other.seconds
        self.errors += other.errors


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def one_session(url: str, until: float, think: tuple[float, float], rng: random.Random,
                      tally: Tally, servers: list[str]) -> None:
    s = Session(url, timeout=120)
    try:
        await s.open()
        servers.append(s.server or "-")
        first = await s.sign_in(*SIGN_IN)  # the sign-in form, then the page load signed in
        tally.seconds.append(first.seconds)
        tally.errors += first.errors
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            page, query = rng.choice(CLICKS)
            run = await s.run(query.format(m=rng.choice(MONTHS)), page=page)
            tally.seconds.append(run.seconds)
            tally.errors += run.errors
    except Exception as exc:  # a timeout or a broken connection is an error of the run
        tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await s.close()


async def load(url: str, sessions: int, seconds: float, think: tuple[float, float], seed: int) -> tuple[Tally, list]:
    """``sessions`` sessions arriving over the first 10 % of the time, clicking until the end."""
    tally, servers = Tally(), []
    until = time.monotonic() + seconds
    rng = random.Random(seed)

    async def arrive(i: int):
        await asyncio.sleep(rng.uniform(0, seconds * 0.1))
        await one_session(url, until, think, random.Random(seed * 1000 + i), tally, servers)
    await asyncio.gather(*(arrive(i) for i in range(sessions)))
    return tally, servers


def single(url: str, clicks: int, seed: int) -> Tally:
    """One session alone: the time a rerun takes when nobody else is using the app."""
    async def go():
        tally, rng = Tally(), random.Random(seed)
        s = Session(url, timeout=120)
        await s.open()
        try:
            await s.sign_in(*SIGN_IN)  # the page load; then the same kind of clicks as under load
            for _ in range(clicks):
                page, query = rng.choice(CLICKS)
                run = await s.run(query.format(m=rng.choice(MONTHS)), page=page)
                tally.seconds.append(run.seconds)
                tally.errors += run.errors
        finally:
            await s.close()
        return tally
    return asyncio.run(go())


def demo_file() -> Path:
    """The demo city as a DuckDB file, built once in bench/out/ per schema version (an
    older file would lack what the sessions need, e.g. the demo accounts)."""
    from indicators.db.schema import SCHEMA_VERSION
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"load_demo_v{SCHEMA_VERSION}.duckdb"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "indicators", "init", "--demo", "--db", str(path)], check=True, cwd=ROOT)
    return path


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0, help="length of each loaded turn")
    p.add_argument("--rounds", type=int, default=5, help="A B pairs")
    p.add_argument("--think", type=float, nargs=2, default=(3.0, 8.0), metavar=("MIN", "MAX"),
                   help="seconds a user pauses between clicks")
    p.add_argument("--single-clicks", type=int, default=8)
    args = p.parse_args()

    source = demo_file()
    work = OUT / "load_run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    embedded = work / "embedded.duckdb"
    shutil.copy(source, embedded)
    setups = {
        "A": ("1 replica · embedded DuckDB file", Cluster(replicas=1, db=str(embedded), log_dir=work)),
        "B": ("2 replicas · PostgreSQL", Cluster(replicas=2, demo_from=source, log_dir=work)),
    }
    print(f"load benchmark · {args.sessions} sessions × {args.seconds:g} s per turn · think {args.think[0]:g}–"
          f"{args.think[1]:g} s · {args.rounds} rounds A B … · HAProxy sticky cookie · 127.0.0.1 only", flush=True)
    print(f"load average at start: {loadavg()}", flush=True)
    results = {k: {"single": Tally(), "load": Tally(), "turns": []} for k in setups}
    try:
        for _, cluster in setups.values():
            cluster.start()
        for key, (_, cluster) in setups.items():  # warm-up: first imports and caches of every replica
            asyncio.run(load(cluster.url, 2 * cluster.replicas, 15, (0.5, 1.0), seed=0))
        for rnd in range(1, args.rounds + 1):
            for key, (label, cluster) in setups.items():
                alone = single(cluster.url, args.single_clicks, seed=rnd)
                tally, servers = asyncio.run(load(cluster.url, args.sessions, args.seconds, tuple(args.think), seed=rnd))
                results[key]["single"].add(alone)
                results[key]["load"].add(tally)
                s50, p50, p95 = pct(alone.seconds, 0.5), pct(tally.seconds, 0.5), pct(tally.seconds, 0.95)
                results[key]["turns"].append((s50, p95))
                spread = {srv: servers.count(srv) for srv in sorted(set(servers))}
                print(f"round {rnd} {key}: single p50 {s50:.2f} s · {len(tally.seconds)} reruns, "
                      f"{len(tally.errors)} errors, p50 {p50:.2f} s, p95 {p95:.2f} s, p95/single {p95 / s50:.1f}× · "
                      f"sessions per replica {spread} · load {loadavg()}", flush=True)
                for e in sorted(set(tally.errors + alone.errors))[:3]:
                    print(f"    error: {e[:160]}", flush=True)
    finally:
        for _, cluster in setups.values():
            cluster.stop()
    report(setups, results, args)
    return 0


def report(setups, results, args) -> None:
    print()
    print(f"| setup | sessions | reruns | errors | p50 | p95 | single-session p50 | p95 / single |")
    print("|---|---|---|---|---|---|---|---|")
    for key, (label, _) in setups.items():
        r = results[key]
        s50, p50, p95 = pct(r["single"].seconds, 0.5), pct(r["load"].seconds, 0.5), pct(r["load"].seconds, 0.95)
        print(f"| {key}. {label} | {args.sessions} | {len(r['load'].seconds)} | {len(r['load'].errors)} | "
              f"{p50:.2f} s | {p95:.2f} s | {s50:.2f} s | {p95 / s50:.1f}× |")
    ratios = [b[1] / a[1] for a, b in zip(results["A"]["turns"], results["B"]["turns"])]
    print(f"\np95 B / A, pair by pair: median {statistics.median(ratios):.2f}× "
          f"[{min(ratios):.2f}–{max(ratios):.2f}] over {len(ratios)} pairs")
    print(f"load average at end: {loadavg()}")


if __name__ == "__main__":
    raise SystemExit(main())

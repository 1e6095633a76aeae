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
    # (when the run was sent, seconds after the turn began; its time; "sign-in" or "click")
    samples: list[tuple[float, float, str]] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)

    def add(self, other: Tally) -> None:
        self.seconds += other.seconds
        self.errors += other.errors
        self.samples += other.samples

    def note(self, sent: float, run, kind: str) -> None:
        self.seconds.append(run.seconds)
        self.errors += run.errors
        self.samples.append((sent - self.began, run.seconds, kind))

    def phases(self) -> dict[str, list[float]]:
        """The sign-ins; the clicks sent before the last sign-in finished (the start);
        the clicks sent after it (steady state)."""
        signins = [(t, s) for t, s, k in self.samples if k == "sign-in"]
        settled = max((t + s for t, s in signins), default=0.0)
        clicks = [(t, s) for t, s, k in self.samples if k == "click"]
        return {"sign-ins": [s for _, s in signins], "clicks during the start": [s for t, s in clicks if t < settled],
                "clicks after the start": [s for t, s in clicks if t >= settled], "settled": [settled]}


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
        sent = time.monotonic()
        first = await s.sign_in(*SIGN_IN)  # the sign-in form, then the page load signed in
        tally.note(sent, first, "sign-in")
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*think))
            page, query = rng.choice(CLICKS)
            sent = time.monotonic()
            run = await s.run(query.format(m=rng.choice(MONTHS)), page=page)
            tally.note(sent, run, "click")
    except Exception as exc:  # a timeout or a broken connection is an error of the run
        tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await s.close()


async def load(url: str, sessions: int, seconds: float, think: tuple[float, float], seed: int,
               arrival: float | None = None) -> tuple[Tally, list]:
    """``sessions`` sessions arriving at random over the first ``arrival`` seconds (10 % of
    the time unless given), clicking until the end."""
    tally, servers = Tally(), []
    until = time.monotonic() + seconds
    rng = random.Random(seed)
    arrival = seconds * 0.1 if arrival is None else arrival

    async def arrive(i: int):
        await asyncio.sleep(rng.uniform(0, arrival))
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


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> tuple[int, int]:
    """(utime + stime, cutime + cstime) of ``pid`` from /proc, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def cpu_seconds(pid: int) -> float:
    """CPU seconds ``pid`` has used, with its children, live and ended (PostgreSQL's
    backends are children of its postmaster)."""
    try:
        own, reaped = _ticks(pid)
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return float("nan")
    total = own + reaped
    for child in children:
        try:
            total += sum(_ticks(child))
        except (FileNotFoundError, ProcessLookupError):
            pass  # ended meanwhile: counted in reaped next time
    return total / CLOCK_TICKS


class Meter:
    """CPU seconds used by each part of a setup — its replicas, PostgreSQL, HAProxy — and by
    this bench client itself, read from /proc before and after a turn."""

    def __init__(self, cluster: Cluster):
        self.parts = {f"replica{i}": p.pid for i, p in enumerate(cluster.procs[:cluster.replicas], 1)}
        if cluster.postgres is not None:
            pid_file = cluster.postgres.root / "data" / "postmaster.pid"
            self.parts["postgres"] = int(pid_file.read_text().split()[0])
        if cluster.proxy:
            self.parts["haproxy"] = cluster.procs[-1].pid

    def read(self) -> dict[str, float]:
        now = {name: cpu_seconds(pid) for name, pid in self.parts.items()}
        times = os.times()
        now["client"] = times.user + times.system
        return now


def cpu_line(before: dict[str, float], after: dict[str, float], clicks: int, seconds: float) -> str:
    used = {k: after[k] - before[k] for k in before}
    total = sum(used.values())
    per = " · ".join(f"{k} {v:.1f} s ({1000 * v / max(clicks, 1):.0f} ms/run)" for k, v in used.items())
    return (f"CPU over {seconds:.0f} s and {clicks} runs: {per} · all {total:.1f} s = "
            f"{100 * total / (seconds * (os.cpu_count() or 1)):.0f} % of {os.cpu_count()} cores")


def phase_line(ph: dict[str, list[float]]) -> str:
    parts = []
    for name in ("sign-ins", "clicks during the start", "clicks after the start"):
        v = ph[name]
        parts.append(f"{name} {len(v)}: p50 {pct(v, 0.5):.2f} s p95 {pct(v, 0.95):.2f} s")
    settled = ", ".join(f"{t:.1f}" for t in ph["settled"])
    return " · ".join(parts) + f" (the last sign-in finished {settled} s into the turn)"


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
    p.add_argument("--arrival", type=float, default=None, metavar="SECONDS",
                   help="sessions arrive at random over the first SECONDS of a turn (default: 10 %% of it)")
    p.add_argument("--setups", default="AB", help="which setups to run (A, B or AB; the pair ratio needs both)")
    p.add_argument("--profile", choices=("off", "time", "cprofile"), default="off",
                   help="time (or cProfile) every script run inside the replicas (bench/profile_hook)")
    args = p.parse_args()
    profile_dir = OUT / "load_profile"
    if args.profile != "off":
        shutil.rmtree(profile_dir, ignore_errors=True)
        os.environ.update(BENCH_LOAD_PROFILE=args.profile, BENCH_LOAD_PROFILE_DIR=str(profile_dir),
                          PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "bench" / "profile_hook"),
                                                                   os.environ.get("PYTHONPATH")])))

    source = demo_file()
    work = OUT / "load_run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    embedded = work / "embedded.duckdb"
    shutil.copy(source, embedded)
    setups = {
        "A": ("1 replica · embedded DuckDB file", lambda: Cluster(replicas=1, db=str(embedded), log_dir=work)),
        "B": ("2 replicas · PostgreSQL", lambda: Cluster(replicas=2, demo_from=source, log_dir=work)),
    }
    setups = {k: (label, make()) for k, (label, make) in setups.items() if k in args.setups.upper()}
    print(f"load benchmark · {args.sessions} sessions × {args.seconds:g} s per turn · think {args.think[0]:g}–"
          f"{args.think[1]:g} s · {args.rounds} rounds A B … · HAProxy sticky cookie · 127.0.0.1 only", flush=True)
    arrival = args.seconds * 0.1 if args.arrival is None else args.arrival
    print(f"sessions arrive at random over the first {arrival:g} s of a turn", flush=True)
    print(f"load average at start: {loadavg()}", flush=True)
    results = {k: {"single": Tally(), "load": Tally(), "turns": [], "phases": {}} for k in setups}
    try:
        for _, cluster in setups.values():
            cluster.start()
        for key, (_, cluster) in setups.items():  # warm-up: first imports and caches of every replica
            asyncio.run(load(cluster.url, 2 * cluster.replicas, 15, (0.5, 1.0), seed=0))
        for rnd in range(1, args.rounds + 1):
            for key, (label, cluster) in setups.items():
                meter = Meter(cluster)
                before, started = meter.read(), time.monotonic()
                alone = single(cluster.url, args.single_clicks, seed=rnd)
                single_cpu = cpu_line(before, meter.read(), len(alone.seconds) + 1, time.monotonic() - started)
                before, started = meter.read(), time.monotonic()
                tally, servers = asyncio.run(load(cluster.url, args.sessions, args.seconds, tuple(args.think), seed=rnd,
                                                  arrival=args.arrival))
                load_cpu = cpu_line(before, meter.read(), len(tally.seconds), time.monotonic() - started)
                results[key]["single"].add(alone)
                results[key]["load"].add(tally)
                s50, p50, p95 = pct(alone.seconds, 0.5), pct(tally.seconds, 0.5), pct(tally.seconds, 0.95)
                results[key]["turns"].append((s50, p95))
                spread = {srv: servers.count(srv) for srv in sorted(set(servers))}
                print(f"round {rnd} {key}: single p50 {s50:.2f} s · {len(tally.seconds)} reruns, "
                      f"{len(tally.errors)} errors, p50 {p50:.2f} s, p95 {p95:.2f} s, p95/single {p95 / s50:.1f}× · "
                      f"sessions per replica {spread} · load {loadavg()}", flush=True)
                phases = tally.phases()
                for name, values in phases.items():
                    results[key]["phases"].setdefault(name, []).extend(values)
                print(f"    {phase_line(phases)}", flush=True)
                print(f"    single session: {single_cpu}", flush=True)
                print(f"    {args.sessions} sessions: {load_cpu}", flush=True)
                for e in sorted(set(tally.errors + alone.errors))[:3]:
                    print(f"    error: {e[:160]}", flush=True)
    finally:
        for _, cluster in setups.values():
            cluster.stop()
    report(setups, results, args)
    if args.profile != "off":
        profile_report(profile_dir, args.profile)
    return 0


def profile_report(folder: Path, mode: str) -> None:
    """What the replicas' script runs cost (bench/profile_hook): thread CPU per run, and
    with cProfile the functions that took it."""
    import json
    import pstats
    runs = [json.loads(line) for f in sorted(folder.glob("runs-*.jsonl")) for line in f.read_text().splitlines()]
    if not runs:
        print("\nprofile: no runs recorded")
        return
    cpu, wall = [r["cpu"] for r in runs], [r["wall"] for r in runs]
    print(f"\nscript runs inside the replicas ({mode}): {len(runs)} runs, thread CPU p50 {pct(cpu, 0.5) * 1000:.0f} ms "
          f"p95 {pct(cpu, 0.95) * 1000:.0f} ms, wall p50 {pct(wall, 0.5):.2f} s p95 {pct(wall, 0.95):.2f} s")
    pages: dict[str, list[float]] = {}
    for r in runs:
        pages.setdefault(("sign-in " if r["widgets"] else "") + (r["page"] or "(default)"), []).append(r["cpu"])
    for page, v in sorted(pages.items()):
        print(f"    {page}: {len(v)} runs, thread CPU p50 {pct(v, 0.5) * 1000:.0f} ms p95 {pct(v, 0.95) * 1000:.0f} ms")
    stats = sorted(folder.glob("profile-*.pstats"))
    if stats:
        st = pstats.Stats(*map(str, stats))
        st.sort_stats("cumulative").print_stats(40)
        st.sort_stats("tottime").print_stats(30)


def report(setups, results, args) -> None:
    print()
    print(f"| setup | sessions | reruns | errors | p50 | p95 | single-session p50 | p95 / single |")
    print("|---|---|---|---|---|---|---|---|")
    for key, (label, _) in setups.items():
        r = results[key]
        s50, p50, p95 = pct(r["single"].seconds, 0.5), pct(r["load"].seconds, 0.5), pct(r["load"].seconds, 0.95)
        print(f"| {key}. {label} | {args.sessions} | {len(r['load'].seconds)} | {len(r['load'].errors)} | "
              f"{p50:.2f} s | {p95:.2f} s | {s50:.2f} s | {p95 / s50:.1f}× |")
    for key, (label, _) in setups.items():
        print(f"{key}: {phase_line(results[key]['phases'])}")
    if len(setups) == 2:
        ratios = [b[1] / a[1] for a, b in zip(results["A"]["turns"], results["B"]["turns"])]
        print(f"\np95 B / A, pair by pair: median {statistics.median(ratios):.2f}× "
              f"[{min(ratios):.2f}–{max(ratios):.2f}] over {len(ratios)} pairs")
    print(f"load average at end: {loadavg()}")


if __name__ == "__main__":
    raise SystemExit(main())

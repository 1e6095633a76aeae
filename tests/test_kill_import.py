"""One ``indicators import`` of many files is all-or-nothing, even under ``kill -9``.

A child process imports 14 files into one database and is killed with SIGKILL at many
moments: spread over its whole run (measured from an uninterrupted one), and at the
instant the write-ahead log appears — the commit being written — and a few
milliseconds after it. (DuckDB writes the log only when a transaction commits: with one
commit per file, as before, the first of these kills found 1 of 14 files written.) After each kill the database is opened as the next user would open
it (DuckDB replays or drops the log) and must hold either all 14 batches with all their
values, or none of them — never 1 of 14 as each file committing on its own did.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from excel.bookmaker import make_db

from indicators.db import connection

FILES, UNITS, YEARS = 14, ("D1", "D2", "D3"), range(1983, 2025)  # 14 files × 3 years × 12 months × 3 units
PY = [sys.executable, "-m", "indicators"]


def _files(folder: Path) -> list[Path]:
    """Stock values (no history warnings) for disjoint years per file: every key is new."""
    out = []
    names = {"D1": "高新区", "D2": "东城区", "D3": "西湖县"}
    years = list(YEARS)
    for k in range(FILES):
        lines = ["期间,单位,指标,数值"]
        for y in years[k::FILES]:
            for m in range(1, 13):
                for u in UNITS:
                    lines.append(f"{y}-{m:02d},{names[u]},高新技术企业数,{k * 1000 + m}")
        path = folder / f"k{k:02d}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append(path)
    return out


def _rows_expected() -> int:
    return len(YEARS) * 12 * len(UNITS)


def _state(db: Path) -> tuple[int, int]:
    """(batches from the k*.csv files, their observations) as the next opener sees them."""
    con = connection.connect(db)
    try:
        batches = con.execute("SELECT count(*) FROM batch WHERE file_name LIKE 'k%.csv'").fetchone()[0]
        rows = con.execute("""SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
                              WHERE b.file_name LIKE 'k%.csv'""").fetchone()[0]
        audit = con.execute("SELECT count(*) FROM audit WHERE action = 'import'").fetchone()[0]
    finally:
        con.close()
    assert audit == batches, "the audit log moved with the batches"
    return batches, rows


def _start(db: Path, files: list[Path], *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*PY, "import", *map(str, files), "--db", str(db), "--yes", "--json", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _timed(db: Path, files: list[Path]) -> float:
    t0 = time.perf_counter()
    p = _start(db, files)
    err = p.communicate(timeout=120)[1].decode()
    assert p.returncode == 0, err
    return time.perf_counter() - t0


def _kill_at(db: Path, files: list[Path], delay: float) -> int | None:
    """Start an import, SIGKILL it after ``delay`` seconds; the exit code if it finished first."""
    p = _start(db, files)
    try:
        return p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        return None


def _kill_at_commit(db: Path, files: list[Path], after: float) -> int | None:
    """SIGKILL ``after`` seconds past the moment the write-ahead log file appears."""
    wal = Path(str(db) + ".wal")
    p = _start(db, files)
    while p.poll() is None:
        if wal.exists():
            if after:
                time.sleep(after)
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=30)
            return None
        time.sleep(0.0002)
    return p.returncode


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_multi_file_import_leaves_all_or_nothing(tmp_path):
    files = _files(tmp_path)
    clean = tmp_path / "clean.duckdb"
    make_db(clean).close()
    db = tmp_path / "db.duckdb"

    def fresh() -> None:
        for f in (db, Path(str(db) + ".wal")):
            f.unlink(missing_ok=True)
        shutil.copy(clean, db)

    fresh()
    full = _timed(db, files)
    assert _state(db) == (FILES, _rows_expected())
    moments = [("timed", full * f) for f in (0.25, 0.5, 0.75, 0.9)]
    moments += [("commit", after) for after in (0.0, 0.0, 0.0, 0.001, 0.003, 0.01, 0.03)]
    outcomes = []
    for kind, at in moments:
        fresh()
        code = _kill_at(db, files, at) if kind == "timed" else _kill_at_commit(db, files, at)
        state = _state(db)
        assert state in ((0, 0), (FILES, _rows_expected())), f"killed {kind} {at:.3f}s: {state[0]} of {FILES} files"
        outcomes.append((kind, round(at, 3), "killed" if code is None else f"exit {code}", state[0]))
    assert sum(o[2] == "killed" for o in outcomes) >= len(outcomes) // 2, outcomes  # really interrupted
    print("kill outcomes (when, delay s, how it ended, files written):", outcomes)

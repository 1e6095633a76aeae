"""PostgreSQL as the shared store: the CLI prints exactly what it prints over the
embedded file, ``indicators migrate`` moves a whole history, and writers at once — two
importing processes, many sessions — never lose or half-write a batch, on each store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pandas as pd
import pytest
import testdate
from actors import ADMIN
from builders import AT
from excel.bookmaker import TODAY, make_db, seed
from stores import drop_postgres, fresh_postgres
from test_uploads import long_return

from indicators.cli import main
from indicators.db import batches, connection, schema
from indicators.rules import periods

pytestmark = pytest.mark.both_stores


def cli(*args, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """The real console entry point in a child process."""
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def status_json(db, period: str, capsys) -> str:
    assert main(["status", "--json", "--period", period, "--db", str(db)]) == 0
    return capsys.readouterr().out


@pytest.fixture
def raw_pg(pg_server):
    """A new PostgreSQL database with nothing in it, not even the schema."""
    name, url = fresh_postgres(pg_server)
    yield url
    drop_postgres(pg_server, name)


# ---------------------------------------------------------------- the same output on both stores

def _late_return(tmp_path):
    """青溪县's return for the latest due month, which the demo city is still missing."""
    path = tmp_path / "青溪县.xlsx"
    period, title = testdate.AS_OF, f"示例市 {periods.label(testdate.AS_OF)} 科技重点指标报送表"
    path.write_bytes(long_return([(period, "QX", "青溪县", "JSHT", "技术合同成交额", 14.5),
                                  (period, "QX", "青溪县", "GXQY", "高新技术企业数", 91)], title=title))
    return path


def test_the_cli_over_postgres_prints_exactly_what_it_prints_over_the_file(tmp_path, raw_pg):
    """The check of issue 14: INDICATORS_DB=postgresql://… runs init --demo, import and
    status --json, and prints byte for byte what the embedded database prints."""
    late = _late_return(tmp_path)
    targets = {"file": tmp_path / "city.duckdb", "postgres": raw_pg}
    inits = {k: subprocess.Popen([sys.executable, "-m", "indicators", "init", "--demo"], text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env={**os.environ, "INDICATORS_DB": str(t)}) for k, t in targets.items()}
    for k, p in inits.items():  # both at once: the demo takes a while to build
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0 and "载入示例市" in out, (k, err)
    printed = {}
    for k, t in targets.items():
        env = {"INDICATORS_DB": str(t)}
        imported = cli("import", late, "--yes", env=env)
        assert imported.returncode == 0, imported.stderr
        status = cli("status", "--json", env=env)
        assert status.returncode == 0, status.stderr
        printed[k] = status.stdout
    assert printed["postgres"] == printed["file"]
    rows = {(r["indicator_code"], r["org_unit_code"]): r for r in json.loads(printed["file"])}
    assert rows[("JSHT", "QX")]["value"] == 14.5 and rows[("JSHT", "QX")]["provenance"] == "reported"


# ---------------------------------------------------------------- indicators migrate

def _rows(con, table):
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


@pytest.fixture
def history(demo_db_master, tmp_path):
    """The demo city with a history of corrections: a re-upload that superseded values,
    and a batch rolled back."""
    import shutil
    path = tmp_path / "history.duckdb"
    shutil.copy(demo_db_master, path)
    month = periods.shift(testdate.AS_OF, -1)
    fix = pd.DataFrame([("JSHT", "QX", month, 9.5), ("GXQY", "QX", month, 80.0)],
                       columns=["indicator_code", "org_unit", "period", "value"])
    with connection.connect(path) as con:
        batches.write_batch(con, fix, file_name="更正.xlsx", actor=ADMIN, at=AT)
        wrong = batches.write_batch(con, fix.assign(value=[1.0, 2.0]), file_name="错报.xlsx", actor=ADMIN, at=AT)
        batches.rollback_batch(con, wrong, actor=ADMIN, at=AT)
    return path


def test_migrate_moves_every_table_and_every_month_reads_the_same(history, raw_pg, capsys):
    out = cli("migrate", "--from", history, "--to", raw_pg, "--json")
    assert out.returncode == 0, out.stderr
    copied = json.loads(out.stdout)["rows"]
    with connection.connect(history, read_only=True) as src, connection.connect(raw_pg) as dst:
        tables = [t for t in schema.tables(src) if t not in schema.BOOKKEEPING]
        # table-list driven from the schema: a table added by a later migration is copied too
        assert sorted(copied) == tables and "observation" in tables and "audit" in tables
        for table in tables:
            if table != "audit":
                assert _rows(dst, table) == _rows(src, table), table
        # the copied history's audit rows arrive unchanged, and the migration adds its own
        history_rows = "SELECT * FROM audit WHERE action <> 'migrate' ORDER BY ALL"
        assert dst.execute(history_rows).fetchall() == _rows(src, "audit") != []
        assert src.execute("SELECT count(*) FROM audit WHERE action = 'migrate'").fetchone() == (0,)
        (at, who, login, role, detail), = dst.execute(
            "SELECT logged_at, who, login, role, detail FROM audit WHERE action = 'migrate'").fetchall()
        superseded = "SELECT count(*) FROM observation WHERE superseded_by IS NOT NULL"
        assert dst.execute(superseded).fetchone() == src.execute(superseded).fetchone() != (0,)
        months = sorted(r[0] for r in src.execute("SELECT DISTINCT period FROM observation").fetchall())
        source_counts = {t: src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    assert copied == source_counts
    assert (at.date(), login, role) == (testdate.TODAY, "@operator", "admin") and who.startswith("命令行操作员")
    assert detail.startswith(f"从 {history} 迁入：{len(tables)} 张表，共 {sum(source_counts.values()):,} 行（")
    assert f"observation {source_counts['observation']:,}" in detail and f"、batch {source_counts['batch']:,}" in detail
    assert len(months) >= 24
    for month in months:
        assert status_json(raw_pg, month, capsys) == status_json(history, month, capsys), month


def test_migrate_refuses_a_target_that_has_data_and_writes_nothing(demo_db, tmp_path):
    target = tmp_path / "other.duckdb"
    with make_db(target) as con:
        before = _rows(con, "org_unit")
    out = cli("migrate", "--from", demo_db, "--to", target)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "已有数据" in out.stderr, out.stderr
    with connection.connect(target, read_only=True) as con:
        assert _rows(con, "org_unit") == before and _rows(con, "batch") == []


@pytest.mark.parametrize("login, refusal", [
    ("nobody", "没有登录名为「nobody」的用户"),
    ("zhk", "无权迁移数据库"),  # 综合科: the demo's office account
])
def test_migrate_as_a_user_who_may_not_is_refused_in_one_line_and_writes_nothing(store, demo_db, new_db,
                                                                                  login, refusal):
    out = cli("migrate", "--from", demo_db, "--to", new_db, "--as", login)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and refusal in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    if store == "duckdb":
        assert not new_db.exists()  # refused before the target was even created
        return
    with connection.connect(new_db, read_only=True) as con:
        assert [t for t in schema.tables(con) if t not in schema.BOOKKEEPING and _rows(con, t)] == []


def test_migrate_as_an_admin_records_that_admin_on_the_target(store, demo_db, new_db):
    out = cli("migrate", "--from", demo_db, "--to", new_db, "--as", "admin", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["by"] == "admin"
    with connection.connect(new_db, read_only=True) as con:
        rows = con.execute("SELECT who, login, role FROM audit WHERE action = 'migrate'").fetchall()
    assert rows == [("系统管理员（管理员）", "admin", "admin")]


def test_batch_ids_go_on_after_migrate(demo_db_master, raw_pg):
    from indicators.db.transfer import copy_database
    copy_database(demo_db_master, raw_pg, actor=ADMIN, at=AT)
    with connection.connect(raw_pg) as con:
        top = con.execute("SELECT max(id) FROM batch").fetchone()[0]
        new = batches.write_batch(con, pd.DataFrame([("JSHT", "QX", testdate.AS_OF, 1.0)],
                                                    columns=["indicator_code", "org_unit", "period", "value"]),
                                  file_name="after.xlsx", actor=ADMIN, at=AT)
    assert new == top + 1


def test_every_sequence_is_carried_by_the_copy():
    """A sequence schema.SEQUENCES does not know would restart at 1 in a copied database."""
    with connection.connect(":memory:") as con:
        names = {r[0] for r in con.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()}
    assert names == set(schema.SEQUENCES)


# ---------------------------------------------------------------- writers at once

PERIODS = [periods.shift("2026-10", -k) for k in range(11, -1, -1)]  # 2025-11 … 2026-10


def _return_csv(path, unit_name: str, base: float):
    rows = [("期间", "单位", "指标", "数值")]
    for i, p in enumerate(PERIODS):
        rows += [(p, unit_name, "技术合同成交额", base + i), (p, unit_name, "高新技术企业数", base + 100 + i)]
    path.write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    return path


def _two_imports_at_once(db, files):
    env = {**os.environ, "INDICATORS_TODAY": TODAY.isoformat(), "INDICATORS_LOCK_WAIT": "60"}
    procs = [subprocess.Popen([sys.executable, "-m", "indicators", "import", str(f), "--yes", "--db", str(db)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for f in files]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err


@pytest.fixture
def seeded(new_db):
    with make_db(new_db) as con:
        seed(con, [("JS", "D3", "2026-01", 1.0)])
    return new_db


def test_two_processes_importing_different_districts_at_once_both_land(seeded, tmp_path):
    _two_imports_at_once(seeded, [_return_csv(tmp_path / "gx.csv", "高新区", 10),
                                  _return_csv(tmp_path / "dc.csv", "东城区", 50)])
    with connection.connect(seeded, read_only=True) as con:
        current = con.execute("""SELECT org_unit, count(*), count(DISTINCT batch_id), min(value)
                                 FROM current_observation WHERE org_unit IN ('D1', 'D2') GROUP BY ALL ORDER BY 1""").fetchall()
        ids = [r[0] for r in con.execute("SELECT id FROM batch ORDER BY id").fetchall()]
    assert current == [("D1", 24, 1, 10.0), ("D2", 24, 1, 50.0)]
    assert len(ids) == len(set(ids)) == 3


def test_two_processes_importing_the_same_district_at_once_one_whole_batch_wins(seeded, tmp_path):
    _two_imports_at_once(seeded, [_return_csv(tmp_path / "first.csv", "高新区", 10),
                                  _return_csv(tmp_path / "second.csv", "高新区", 500)])
    with connection.connect(seeded, read_only=True) as con:
        current = con.execute("""SELECT batch_id, count(*), min(value) FROM current_observation
                                 WHERE org_unit = 'D1' GROUP BY ALL""").fetchall()
        landed = con.execute("""SELECT b.file_name, count(o.batch_id), count(o.superseded_by)
                                FROM batch b JOIN observation o ON o.batch_id = b.id
                                WHERE o.org_unit = 'D1' GROUP BY ALL ORDER BY 1""").fetchall()
        winner = con.execute("SELECT file_name FROM batch WHERE id = ?", [current[0][0]]).fetchone()[0]
    assert len(current) == 1 and current[0][1] == 24  # every current value from one batch
    assert current[0][2] == (10.0 if winner == "first.csv" else 500.0)  # and it is that file's
    loser = "second.csv" if winner == "first.csv" else "first.csv"
    assert sorted(landed) == sorted([(winner, 24, 0), (loser, 24, 24)])  # the other, whole, superseded


def test_many_writers_at_once_keep_one_current_value_per_key(store, seeded):
    """Eight sessions writing the same keys at the same moment: each batch lands whole,
    ids are unique, and every key keeps exactly one current value."""
    writers, barrier, ids, errors = 8, threading.Barrier(8), [], []
    keys = [("JS", unit, p) for unit in ("D1", "D2") for p in PERIODS[:6]]

    def write(n):
        try:
            with connection.connect(seeded, wait=120) as con:
                frame = pd.DataFrame([(*k, float(n)) for k in keys],
                                     columns=["indicator_code", "org_unit", "period", "value"])
                barrier.wait(timeout=120)
                ids.append(batches.write_batch(con, frame, file_name=f"w{n}.xlsx", actor=ADMIN, at=AT))
        except Exception as exc:  # collected: an exception in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == [] and len(set(ids)) == writers
    with connection.connect(seeded, read_only=True) as con:
        per_key = con.execute("""SELECT count(*) FROM current_observation WHERE indicator_code = 'JS'
                                 AND org_unit IN ('D1', 'D2') GROUP BY org_unit, period""").fetchall()
        current_batches = con.execute("""SELECT DISTINCT batch_id FROM current_observation
                                         WHERE indicator_code = 'JS' AND org_unit IN ('D1', 'D2')""").fetchall()
        whole = con.execute("SELECT count(*) FROM observation WHERE batch_id IN (SELECT unnest(?))",
                            [ids]).fetchone()[0]
    assert per_key == [(1,)] * len(keys)
    assert len(current_batches) == 1 and current_batches[0][0] == max(ids)  # the last to commit wins whole
    assert whole == writers * len(keys)


def test_a_writer_that_waits_too_long_gives_up_with_one_line_and_writes_nothing(store, seeded):
    """The other writer holds the turn for 4 s; with INDICATORS_LOCK_WAIT=1 this one
    gives up after about a second instead of hanging, and writes nothing."""
    import time

    from indicators.errors import WriteConflict
    holding, done = threading.Event(), threading.Event()

    def hold():
        with connection.connect(seeded) as other:
            other.write(lambda tx: (holding.set(), time.sleep(4)))
        done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(60)
    frame = pd.DataFrame([("JS", "D1", "2026-10", 1.0)], columns=["indicator_code", "org_unit", "period", "value"])
    with connection.connect(seeded, wait=1) as con:
        started = time.monotonic()
        with pytest.raises(WriteConflict, match="已等待 1 秒") as refused:
            batches.write_batch(con, frame, file_name="late.xlsx", actor=ADMIN, at=AT)
        waited = time.monotonic() - started
        holder.join(60)
        assert done.is_set() and 1 <= waited < 3.9, waited  # gave up before the holder let go
        assert con.execute("SELECT count(*) FROM batch WHERE file_name = 'late.xlsx'").fetchone() == (0,)
    assert "\n" not in str(refused.value) and "未写入任何数据" in str(refused.value)


def test_a_crowd_signing_in_while_another_write_holds_the_turn_all_get_in(store, seeded):
    """Twelve colleagues signing in at the same moment, while an import holds the write
    turn until they are done and with INDICATORS_LOCK_WAIT=1: a sign-in takes no turn, so
    every one of them gets in — none waits for the import or for the others (one that did
    would give up after a second) — and each leaves exactly its session and its audit
    line. The one account they share had two failures: cleared. The sign-ins move
    neither version; the import moves both."""
    from actors import PASSWORD, add_user

    from indicators.accounts import sessions, users
    from indicators.db import catalog
    from indicators.errors import SignInFailed
    crowd = 12
    with connection.connect(seeded) as con:
        add_user(con, "crowd", "leader", at=AT)
        for _ in range(2):
            with pytest.raises(SignInFailed):
                users.authenticate(con, "crowd", "wrong-pass-1", now=AT)
        before = catalog.versions(con)
    holding, crowd_done, barrier, errors = threading.Event(), threading.Event(), threading.Barrier(crowd), []
    held_to_the_end = []

    def hold():
        with connection.connect(seeded) as other:
            other.write(lambda tx: (tx.execute("UPDATE org_unit SET name = name WHERE code = 'D1'"),
                                    holding.set(), held_to_the_end.append(crowd_done.wait(120))))

    def sign_in(n):
        try:
            with connection.connect(seeded, wait=1) as con:
                barrier.wait(timeout=60)
                actor = users.authenticate(con, "crowd", PASSWORD, now=AT)
                sessions.start(con, actor, b"k" * 32, hours=1, now=AT)
        except Exception as exc:  # collected: an exception in a thread would be lost
            errors.append(exc)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(60)
    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(crowd)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    crowd_done.set()
    holder.join(60)
    assert errors == []
    assert held_to_the_end == [True]  # the import held the turn until every one was in
    with connection.connect(seeded, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM user_session WHERE login = 'crowd'").fetchone() == (crowd,)
        assert con.execute("SELECT count(*) FROM audit WHERE login = 'crowd' AND action = 'signin'").fetchone() == (crowd,)
        assert con.execute("SELECT failed_attempts, locked_until FROM app_user WHERE login = 'crowd'").fetchone() == (0, None)
        shown = users.list_users(con).set_index("login").loc["crowd", "last_sign_in"]
        assert shown == pd.Timestamp("2026-11-23 10:00")  # AT, its sessions' time
        after = catalog.versions(con)
    assert after == ((before[0][0] + 1,), (before[1][0] + 1,))  # the import's turn, no sign-in's

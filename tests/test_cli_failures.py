"""Every failure a user can cause on the command line is one Chinese line and exit 1 (2
for usage), never a traceback — each case run through the real console entry point in a
child process, as a user would (issue 11)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

import pytest
from excel.wild import with_entities

from indicators.db import connection

PY = [sys.executable, "-m", "indicators"]


def run(*args, env=None, timeout=120):
    return subprocess.run([*PY, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def one_line(out) -> str:
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout, out.stderr
    lines = [x for x in out.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, out.stderr
    return lines[0]


@contextlib.contextmanager
def held(path):
    """Another process (as the running web app does) holds the database for writing."""
    code = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()"
    p = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        yield
    finally:
        p.stdin.close()
        p.wait(timeout=30)


@pytest.fixture
def db(demo_db):
    return demo_db


def test_entity_declaration_in_sheet_xml(tmp_path, db):
    out = run("import", with_entities(tmp_path / "xxe.xlsx"), "--db", db)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "实体声明" in out.stderr and "未导入任何数据" in out.stderr


def test_a_directory_named_like_a_workbook(tmp_path, db):
    (tmp_path / "x.xlsx").mkdir()
    out = run("import", tmp_path / "x.xlsx", "--db", db)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "是一个文件夹" in one_line(out)
    assert one_line(out).endswith("未导入任何数据。") and out.stdout == ""


def test_a_pipe_or_a_device_is_refused_without_waiting(tmp_path, db):
    """A FIFO given as a return waited forever for a writer, holding the database."""
    fifo = tmp_path / "r.csv"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        out = run("import", path, "--dry-run", "--db", db)
        assert out.returncode == 1 and "不是普通文件" in one_line(out)


@pytest.mark.parametrize("content", [b"not a database at all\n", b"", None])
def test_db_that_is_not_a_database(tmp_path, content):
    path = tmp_path / "x.duckdb"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    out = run("status", "--db", path)
    assert out.returncode == 1 and "不是指标月调度的数据库文件" in one_line(out)


@pytest.mark.parametrize("name", ["returns.csv", "returns.TSV", "values.json", "values.parquet"])
def test_a_data_file_given_as_the_database_is_refused_and_left_as_it_was(tmp_path, name):
    """DuckDB opens an existing CSV, TSV, JSON or Parquet file as an in-memory database (the
    file a view): ``init`` said 已创建 and printed an admin password for a database that
    vanished at exit, and an import would have been lost the same way."""
    path = tmp_path / name
    content = b"\xe6\x9c\x9f\xe9\x97\xb4,\xe6\x95\xb0\xe5\x80\xbc\n2026-10,1\n"  # 期间,数值 …
    if name.endswith(".json"):
        content = b'[{"a": 1}]'
    elif name.endswith(".parquet"):
        import pandas as pd
        pd.DataFrame({"a": [1]}).to_parquet(path)
        content = path.read_bytes()
    path.write_bytes(content)
    for args in (["init"], ["status"], ["import", "--yes", tmp_path / "none.xlsx"]):
        out = run(*args, "--db", path)
        assert out.returncode == 1, (args, out.stdout)
        assert one_line(out) == (f"{path} 是数据文件（CSV、JSON 或 Parquet 等），不是指标月调度的数据库文件（DuckDB）。"
                                 "请检查 --db 或 INDICATORS_DB；数据文件请用 `indicators import` 导入。")
        assert "已创建" not in out.stdout
    forced = run("init", "--force", "--db", path)  # it replaces a damaged database, never someone's data file
    assert forced.returncode == 1 and one_line(forced).endswith("（--force 不删除数据文件。）")
    assert path.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_sqlite_file_given_as_the_database_is_one_line_without_fetching_anything(tmp_path):
    import sqlite3
    path = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(path)) as c:
        c.execute("CREATE TABLE t (x)")
        c.commit()
    out = run("status", "--db", path)
    assert out.returncode == 1
    assert one_line(out) == f"{path} 是 SQLite 数据库文件，不是指标月调度的数据库文件（DuckDB）。请检查 --db 或 INDICATORS_DB。"


def test_the_path_of_the_file_is_not_read_as_the_cause(tmp_path, demo_db_master):
    """DuckDB's messages carry the file's path: a folder named 「clocks」 made a damaged file
    read as a lock held (after waiting), one named 「sqlite_backup」 a held database read as
    a SQLite file."""
    import shutil
    junk = tmp_path / "clocks" / "x.duckdb"
    junk.parent.mkdir()
    junk.write_text("not a database")
    out = run("status", "--db", junk, env={"INDICATORS_LOCK_WAIT": "30"})
    assert out.returncode == 1
    assert one_line(out) == f"{junk} 不是指标月调度的数据库文件（DuckDB），或已损坏。请检查 --db 或 INDICATORS_DB。"
    kept = tmp_path / "sqlite_backup" / "x.duckdb"
    kept.parent.mkdir()
    shutil.copy(demo_db_master, kept)
    with held(kept):
        out = run("status", "--db", kept, env={"INDICATORS_LOCK_WAIT": "1"})
    assert out.returncode == 1 and one_line(out).startswith(f"数据库 {kept} 正忙：另一个进程")


def test_status_into_a_closed_pipe(db):
    p = subprocess.Popen([*PY, "status", "--json", "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(200)  # `| head`: read a little, then close the pipe
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 1 and "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.parametrize("name, value", [
    ("INDICATORS_MAX_FILE_MB", "twenty"), ("INDICATORS_MAX_ROWS", "-5"), ("INDICATORS_MAX_CELLS", "1e99"),
    ("INDICATORS_MAX_UNPACKED_MB", "0"), ("INDICATORS_MAX_PROBLEMS", "many"), ("INDICATORS_PACING", "fast"),
])
def test_bad_setting(db, name, value):
    out = run("status", "--db", db, env={name: value})
    assert out.returncode == 2 and name in one_line(out)


def test_file_over_the_size_bound(tmp_path, db):
    path = tmp_path / "r.csv"
    path.write_text("期间,单位,指标,数值\n" + "2026-10,东城区,技术合同成交额,1\n" * 2000, encoding="utf-8")
    out = run("import", path, "--db", db, "--json", env={"INDICATORS_MAX_FILE_MB": "0.01"})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "INDICATORS_MAX_FILE_MB" in out.stdout


@pytest.mark.parametrize("command", [["status"], ["report", "--format", "md", "--out", "{tmp}/n.md"]])
def test_reading_commands_while_the_app_holds_the_database(tmp_path, db, command):
    with held(db):
        out = run(*[c.format(tmp=tmp_path) for c in command], "--db", db)
    line = one_line(out)
    assert out.returncode == 1 and "正忙" in line and "只读取数据" in line and "无法写入" not in line


def test_init_force_refuses_a_held_database(db):
    size = db.stat().st_size
    with held(db):
        out = run("init", "--force", "--db", db)
    assert out.returncode == 1 and "未删除" in one_line(out)
    assert db.exists() and db.stat().st_size == size
    con = connection.connect(db, read_only=True)  # still the demo city
    try:
        assert con.execute("SELECT count(*) FROM observation").fetchone()[0] > 0
    finally:
        con.close()


def test_init_force_replaces_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "x.duckdb"
    path.write_bytes(b"junk")
    out = run("init", "--force", "--db", path)
    assert out.returncode == 0, out.stderr


def test_import_while_the_app_holds_the_database(tmp_path, db):
    path = tmp_path / "r.csv"
    path.write_text("期间,单位,指标,数值\n2026-10,东城区,技术合同成交额,1\n", encoding="utf-8")
    with held(db):
        out = run("import", path, "--db", db, "--yes")
    assert out.returncode == 1 and "占用" in one_line(out)

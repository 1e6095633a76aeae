"""A corpus of hostile and wild return files, built in code, through the command line's
documented interface (``import --dry-run --json`` and ``import --yes --json``): no
traceback, one JSON document, nothing written when anything is refused, every valid
shape loaded with the right values (issue 11; a held-out corpus is run the same way)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from excel.bookmaker import make_db
from excel.wild import add_indicators, hostile_corpus, snapshot, valid_corpus

from indicators.cli import main
from indicators.db import connection


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return hostile_corpus(folder), valid_corpus(folder)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.duckdb"
    con = make_db(path)
    add_indicators(con)
    con.close()
    return path


def cli(capsys, *args) -> tuple[int, dict, str]:
    code = main([*map(str, args)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, json.loads(out.out), out.err


def test_each_hostile_file_is_refused_with_located_problems(corpus, db, capsys):
    hostile, _ = corpus
    before = snapshot(db)
    for path in hostile:
        for mode in ("--dry-run", "--yes"):
            code, out, _err = cli(capsys, "import", path, "--db", db, "--json", mode)
            [f] = out["files"]
            assert out["written"] is False, (path.name, mode)
            if mode == "--dry-run" and code == 0:  # nothing in it to import, and nothing wrong
                assert f["rows"] == 0 and f["errors"] == 0, path.name
                continue
            assert code == 1 and out["ok"] is False and out["refused"], (path.name, mode)
            assert (f["errors"] >= 1 and f["problems"]) or f["rows"] == 0, path.name
            assert all(len(p["message"]) < 400 and len(p["value"] or "") < 100 for p in f["problems"]), path.name
            assert len(f["problems"]) <= 200 * 25, path.name
    assert snapshot(db) == before


def test_each_valid_shape_loads_the_right_values(corpus, db, capsys):
    _, valid = corpus
    for path, expected in valid.items():
        code, out, err = cli(capsys, "import", path, "--db", db, "--json", "--dry-run")
        assert code == 0 and out["files"][0]["errors"] == 0, (path.name, out["files"][0]["problems"])
        assert out["files"][0]["rows"] == len(expected), path.name
    code, out, err = cli(capsys, "import", *valid, "--db", db, "--json", "--yes")
    assert code == 0 and out["written"] is True, err
    con = connection.connect(db, read_only=True)
    try:
        stored = set(con.execute("""SELECT c.indicator_code, c.org_unit, c.period, c.value
                                    FROM current_observation c JOIN batch b ON b.id = c.batch_id
                                    WHERE b.file_name LIKE 'v%'""").fetchall())
    finally:
        con.close()
    wanted = {(i, u, p): v for rows in valid.values() for i, u, p, v in rows}
    got = {(i, u, p): v for i, u, p, v in stored}
    assert set(got) == set(wanted)
    for key, value in wanted.items():
        assert got[key] == pytest.approx(value), key


def test_all_files_at_once_as_a_user_would(corpus, db):
    """One process, every file: one JSON document, exit 1, nothing written."""
    hostile, valid = corpus
    before = snapshot(db)
    for mode in ("--dry-run", "--yes"):
        run = subprocess.run([sys.executable, "-m", "indicators", "import", *map(str, [*hostile, *valid]),
                              "--db", str(db), "--json", mode], capture_output=True, text=True, timeout=600,
                             env=os.environ)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
        out = json.loads(run.stdout)
        assert out["written"] is False and len(out["files"]) == len(hostile) + len(valid)
    assert snapshot(db) == before

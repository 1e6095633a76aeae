"""The DuckDB schema and its forward migrations.

Each migration is a list of statements applied in one transaction; ``schema_version``
records how far a database has come. A database from a newer version of the code is
refused rather than guessed at. Never edit a migration that has landed: add the next one.
"""

from __future__ import annotations

from indicators.errors import DatabaseTooNew

SCHEMA_VERSION = 10

# Version 1: the core model of DESIGN §3.
_V1 = [
    """CREATE TABLE org_unit (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        parent_code VARCHAR,
        level INTEGER NOT NULL DEFAULT 0,
        sort_order INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE TABLE department (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)",
    "CREATE TABLE leader (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, title VARCHAR)",
    """CREATE TABLE indicator (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        aliases VARCHAR,
        category VARCHAR,
        unit VARCHAR,
        kind VARCHAR NOT NULL CHECK (kind IN ('cumulative', 'stock', 'ratio')),
        direction VARCHAR NOT NULL DEFAULT 'higher' CHECK (direction IN ('higher', 'lower')),
        frequency VARCHAR NOT NULL DEFAULT 'monthly'
            CHECK (frequency IN ('monthly', 'quarterly', 'annual')),
        decimals INTEGER NOT NULL DEFAULT 2,
        numerator_code VARCHAR,
        denominator_code VARCHAR,
        factor DOUBLE NOT NULL DEFAULT 1,
        description VARCHAR,
        source VARCHAR,
        sort_order INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE responsibility (
        indicator_code VARCHAR PRIMARY KEY,
        lead_department VARCHAR,
        leader VARCHAR,
        support_departments VARCHAR,
        note VARCHAR
    )""",
    """CREATE TABLE target (
        indicator_code VARCHAR NOT NULL,
        org_unit VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        value DOUBLE NOT NULL,
        milestones VARCHAR,
        set_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        set_by VARCHAR,
        reason VARCHAR
    )""",
    "CREATE SEQUENCE batch_id_seq START 1",
    """CREATE TABLE batch (
        id INTEGER PRIMARY KEY DEFAULT nextval('batch_id_seq'),
        file_name VARCHAR,
        sha256 VARCHAR,
        uploaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        uploaded_by VARCHAR,
        rows INTEGER NOT NULL DEFAULT 0,
        status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'rolled_back')),
        note VARCHAR
    )""",
    """CREATE TABLE observation (
        indicator_code VARCHAR NOT NULL,
        org_unit VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE,
        batch_id INTEGER NOT NULL,
        superseded_by INTEGER
    )""",
    # The current value of each (indicator, unit, period): the one no later batch replaced.
    """CREATE VIEW current_observation AS
        SELECT indicator_code, org_unit, period, value, batch_id
        FROM observation WHERE superseded_by IS NULL""",
    """CREATE TABLE audit (
        logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        who VARCHAR,
        action VARCHAR NOT NULL,
        detail VARCHAR
    )""",
]

# Version 2: per-bureau settings and unit aliases (names districts are also known by),
# and whether an indicator may be negative (validation of returns).
_V2 = [
    "ALTER TABLE org_unit ADD COLUMN aliases VARCHAR",
    "ALTER TABLE indicator ADD COLUMN allow_negative BOOLEAN DEFAULT false",
    "CREATE TABLE setting (key VARCHAR PRIMARY KEY, value VARCHAR)",
]

# Version 3: key tasks (重点任务) with their revisions, monthly task progress, and the
# explanations (滞后说明) of lagging indicators. Progress and explanations are append-only:
# the latest row of a key counts, earlier ones are the history.
_V3 = [
    """CREATE TABLE task (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        category VARCHAR,
        lead_department VARCHAR,
        leader VARCHAR,
        support_departments VARCHAR,
        org_units VARCHAR,
        annual_goal VARCHAR,
        nodes VARCHAR,
        deadline DATE,
        plan_period VARCHAR,
        state VARCHAR NOT NULL DEFAULT 'active' CHECK (state IN ('draft', 'active')),
        sort_order INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE task_revision (
        code VARCHAR NOT NULL,
        name VARCHAR,
        category VARCHAR,
        lead_department VARCHAR,
        leader VARCHAR,
        support_departments VARCHAR,
        org_units VARCHAR,
        annual_goal VARCHAR,
        nodes VARCHAR,
        deadline DATE,
        plan_period VARCHAR,
        state VARCHAR,
        sort_order INTEGER,
        revised_at TIMESTAMP NOT NULL,
        revised_by VARCHAR,
        how VARCHAR
    )""",
    """CREATE TABLE task_progress (
        task_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('done', 'on_track', 'lagging', 'not_started')),
        progress VARCHAR,
        problems VARCHAR,
        next_steps VARCHAR,
        reported_at TIMESTAMP NOT NULL,
        reported_by VARCHAR,
        source VARCHAR
    )""",
    """CREATE TABLE explanation (
        indicator_code VARCHAR NOT NULL,
        org_unit VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        measures VARCHAR NOT NULL,
        catch_up VARCHAR,
        given_at TIMESTAMP NOT NULL,
        given_by VARCHAR
    )""",
]

# Version 4: the ``setting`` table of version 2 was never read or written — settings
# come from the environment (``indicators.settings``).
_V4 = [
    "DROP TABLE IF EXISTS setting",
]

# Version 5: task progress that came with a monthly return names its batch, so rolling the
# batch back takes the progress back too.
_V5 = ["ALTER TABLE task_progress ADD COLUMN batch_id INTEGER"]

# Version 6: delivery (issue 17). ``contact``: who receives 催报 and the monthly pack (the
# setup workbook's 联系人 sheet). ``delivery``: one row per message, claimed under its
# unique ``key`` *before* it is sent, so a second run, replica or process sends nothing
# already sent; plain SQL (a keyed table, INSERT … ON CONFLICT DO NOTHING, compare-and-set
# UPDATEs) that also works on DuckDB-attached PostgreSQL. Times are the bureau's local time.
_V6 = [
    """CREATE TABLE contact (
        org_unit VARCHAR,
        name VARCHAR NOT NULL,
        email VARCHAR,
        mobile VARCHAR,
        wecom_id VARCHAR,
        receives VARCHAR NOT NULL,
        sort_order INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE delivery (
        key VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL CHECK (kind IN ('reminder', 'pack', 'test')),
        period VARCHAR,
        channel VARCHAR NOT NULL CHECK (channel IN ('email', 'dingtalk', 'wecom')),
        recipient VARCHAR NOT NULL,
        recipient_name VARCHAR,
        slot VARCHAR NOT NULL,
        address VARCHAR,
        subject VARCHAR,
        status VARCHAR NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        parts_sent INTEGER NOT NULL DEFAULT 0,
        error VARCHAR,
        created_at TIMESTAMP NOT NULL,
        claimed_at TIMESTAMP,
        claimed_by VARCHAR,
        sent_at TIMESTAMP,
        next_attempt_at TIMESTAMP,
        updated_at TIMESTAMP NOT NULL
    )""",
]


# Version 7: a stock or ratio target says what it means — 年末达到 a level (``level``, the
# default when NULL) or 年内新增 an increase on last year-end (``increase``).
_V7 = [
    "ALTER TABLE target ADD COLUMN basis VARCHAR",
]

# Version 8: accounts and sessions (issue 12); the acting user's login and role on audit
# rows and batches; review of batches (待审核 / 已通过 / 已退回, approvals per indicator so
# a 科室 can pass its part of a district's return); a batch may also be 'returned'
# (it then counts no more, like a rollback); admins' time-limited unlocks of a month.
_V8 = [
    """CREATE TABLE app_user (
        login VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ('admin', 'office', 'department', 'district', 'leader')),
        org_unit VARCHAR,
        department VARCHAR,
        password_hash VARCHAR NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT false,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until TIMESTAMP,
        must_change_password BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR,
        password_changed_at TIMESTAMP,
        last_sign_in TIMESTAMP
    )""",
    """CREATE TABLE user_session (
        digest VARCHAR PRIMARY KEY,
        login VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP
    )""",
    "ALTER TABLE audit ADD COLUMN login VARCHAR",
    "ALTER TABLE audit ADD COLUMN role VARCHAR",
    "ALTER TABLE batch ADD COLUMN uploader_login VARCHAR",
    "ALTER TABLE batch ADD COLUMN uploader_role VARCHAR",
    "ALTER TABLE batch ADD COLUMN review VARCHAR DEFAULT 'approved'",
    """CREATE TABLE batch_approval (
        batch_id INTEGER NOT NULL,
        indicator_code VARCHAR NOT NULL,
        approved_at TIMESTAMP NOT NULL,
        login VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        PRIMARY KEY (batch_id, indicator_code)
    )""",
    """CREATE TABLE batch_review (
        batch_id INTEGER NOT NULL,
        decision VARCHAR NOT NULL CHECK (decision IN ('approved', 'returned')),
        indicators INTEGER NOT NULL,
        reason VARCHAR,
        decided_at TIMESTAMP NOT NULL,
        login VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        who VARCHAR NOT NULL
    )""",
    # the newest value of each key among active batches whose part is approved: what the
    # dispatch table reads when only approved values count (INDICATORS_REVIEW_COUNTS=approved)
    """CREATE VIEW approved_observation AS
        SELECT indicator_code, org_unit, period, value, batch_id FROM (
            SELECT o.indicator_code, o.org_unit, o.period, o.value, o.batch_id,
                   row_number() OVER (PARTITION BY o.indicator_code, o.org_unit, o.period
                                      ORDER BY o.batch_id DESC) AS newest
            FROM observation o JOIN batch b ON b.id = o.batch_id
            WHERE b.status = 'active' AND (b.review = 'approved' OR EXISTS (
                SELECT 1 FROM batch_approval a WHERE a.batch_id = o.batch_id AND a.indicator_code = o.indicator_code))
        ) AS ranked WHERE newest = 1""",
    # facts about the database itself, e.g. that it holds the demo city (key → value)
    "CREATE TABLE app_info (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE period_unlock (
        period VARCHAR NOT NULL,
        org_unit VARCHAR NOT NULL,
        granted_at TIMESTAMP NOT NULL,
        until TIMESTAMP NOT NULL,
        login VARCHAR NOT NULL,
        reason VARCHAR
    )""",
]

# Version 9: the write turn. Every write unit first bumps this one row (db.connection),
# so concurrent writers — processes and replicas on PostgreSQL, sessions of one app —
# never interleave: the later one conflicts at once and runs again from a fresh
# snapshot, and each (indicator, unit, period) keeps exactly one current value.
_V9 = [
    "CREATE TABLE write_turn (id INTEGER PRIMARY KEY, turn BIGINT NOT NULL)",
    "INSERT INTO write_turn (id, turn) VALUES (1, 0)",
]

# Version 10: the data turn. Row 2 of write_turn moves with the write units that change
# what results are computed from — not with sign-ins, sign-outs or the delivery ledger
# (``Connection.write(…, data=False)``) — so the app's caches of dispatch tables and page
# data (keyed by it, ``catalog.data_version``) survive a colleague signing in.
_V10 = ["INSERT INTO write_turn (id, turn) SELECT 2, turn FROM write_turn WHERE id = 1"]

MIGRATIONS: dict[int, list[str]] = {1: _V1, 2: _V2, 3: _V3, 4: _V4, 5: _V5, 6: _V6, 7: _V7, 8: _V8, 9: _V9,
                                    10: _V10}

# Generated ids: each sequence and the column it fills (a copy of a database carries
# them on, ``db.transfer``). A new sequence goes here too — a test checks.
SEQUENCES: dict[str, tuple[str, str]] = {"batch_id_seq": ("batch", "id")}
# The schema's own bookkeeping: every database keeps its own rows, a copy skips them.
BOOKKEEPING = ("schema_version", "write_turn")


def tables(con) -> list[str]:
    """The tables (not views) of the database's own schema, sorted by name."""
    return [r[0] for r in con.execute(con.store.tables_sql).fetchall()]


def schema_version(con) -> int:
    """How far the database at ``con`` has been migrated (0: a new, empty one)."""
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        " AND table_catalog = current_database() AND table_schema = current_schema()"
    ).fetchone()[0]
    if not has:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(con, current: int | None = None) -> int:
    """Bring the schema of ``con`` (a ``db.connection.Connection``) up to
    ``SCHEMA_VERSION`` in one transaction; refuse a database from newer code.
    ``current``: its ``schema_version`` as just read on ``con`` (else read here)."""
    current = schema_version(con) if current is None else current
    if current > SCHEMA_VERSION:
        raise DatabaseTooNew(
            f"数据库结构版本为 {current}，高于本程序支持的 {SCHEMA_VERSION}。请升级程序后再打开。"
        )
    if current == SCHEMA_VERSION:
        return current
    try:
        with con.transaction():
            if current == 0:
                con.execute("CREATE TABLE IF NOT EXISTS schema_version "
                            "(version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for stmt in MIGRATIONS[version]:
                    con.migration_statement(stmt)
                con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    except Exception:
        # on a shared store another process may have migrated at the same moment: its
        # DDL made ours fail (PostgreSQL made us wait for its commit first)
        if con.kind != "postgres":
            raise
        con.execute("CALL pg_clear_cache()")
        if schema_version(con) != SCHEMA_VERSION:
            raise
    return SCHEMA_VERSION

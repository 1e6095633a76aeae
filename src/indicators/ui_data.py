"""The app's side of the database (part of ``indicators.ui``, which
re-exports everything here; pages call ``ui.db()``, ``ui.cached(…)``; the settings are ``ui_settings``).

How the app holds the database. The DuckDB file is opened for the script runs that need
it — on a run's first statement, one connection shared by the runs at work at once
(``db.shared_file``) — and closed when the last of them ends, so between runs, most of the
time, the file is free for ``indicators status``, ``report`` or an import next to the
running app; a run or a command that meets the other waits ``INDICATORS_LOCK_WAIT``
seconds for it, then says so. Results are cached by data version — on the file its
(and its WAL's) mtime and size — so a rerun on unchanged data need not open the file
to learn that nothing changed. PostgreSQL has no file lock: one connection per
process, a cursor per run.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd
import streamlit as st

from indicators.cache_frames import SizedCache, fresh, pack, packed_bytes, release_freed, unpack
from indicators.db import backend, catalog, connection, shared_file
from indicators.db.connection import Connection
from indicators.dispatch import dispatch_table
from indicators.errors import IndicatorsError
from indicators.settings import Settings
from indicators.ui_settings import db_target, settings

T = TypeVar("T")

@st.cache_resource(show_spinner=False)
def _postgres(target: str, wait: float) -> Connection:
    """PostgreSQL: one connection per process and database (its pool of server
    connections behind it); each run takes a cursor."""
    return connection.connect(target, create=True, wait=wait)


@contextmanager
def _opened(target: str) -> Iterator[Connection]:
    """A connection for as long as the block runs: a cursor of the DuckDB file's
    connection (``db.shared_file``), or of the process's PostgreSQL connection. A database that
    cannot be opened (held too long by another process, unreachable) stops the page with
    one line."""
    wait = settings().lock_wait
    with ExitStack() as stack:
        try:
            con = stack.enter_context(_postgres(target, wait).cursor() if backend.is_postgres(target)
                                      else shared_file.cursor(target, wait))
        except IndicatorsError as exc:
            st.error(str(exc), icon="⛔")
            st.stop()
        yield con


def _leave_legacy_pages() -> None:
    """Streamlit treats a ``pages/`` folder as the old multipage mode until ``app.py`` has
    called ``st.navigation`` once in the process, so a bookmarked ``/indicator`` opened
    first after a restart would run the page without the router (no layout, file-name
    menu). Switch to the router and rerun the same page through it — also when the router
    itself is running: the session was made in the old mode, and without the rerun the
    first click in it (the sign-in button) came back as a fresh page with empty widgets.
    The switch happens on the process's first run, a page load, so no click is dropped."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - private API moved
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# The connection of the script run in progress: a holder that ``script_run`` sets up and
# ``db`` fills on first use. A ContextVar, because each session's run has its own thread.
class _RunConnection:
    """The run's connection as pages see it: it opens the database on the first
    statement, so a rerun served from the caches (``cached``, ``dispatch``) does not
    open the DuckDB file at all. ``store`` (what the version stamp needs) is there
    without opening."""

    def __init__(self, closing: ExitStack, where: str):
        self._closing, self._where, self._con = closing, where, None
        self.target, self.store = where, backend.for_target(where)
        self.version: tuple | None = None  # (write, data version), asked once per run (_versions)

    def _open(self) -> Connection:
        if self._con is None:
            self._con = self._closing.enter_context(_opened(self._where))
        return self._con

    def write(self, work, **kwargs):
        """``Connection.write``; the versions are asked again afterwards."""
        try:
            return self._open().write(work, **kwargs)
        finally:
            self.version = None

    def __getattr__(self, name):  # execute, transaction, registered, cursor …
        return getattr(self._open(), name)


@dataclass
class _Run:
    closing: ExitStack
    con: _RunConnection | None = None
    # frames this run got from the caches, by id: (the frame, what it was computed from)
    frames: dict[int, tuple[pd.DataFrame, tuple]] = field(default_factory=dict)
    # the process's caches of page data as this run found them (``_store``)
    stores: dict[str, SizedCache] = field(default_factory=dict)
    # the dispatch tables this run unpacked, by their cache key (``_dispatch``)
    tables: dict[tuple, pd.DataFrame] = field(default_factory=dict)


_RUN_CURSOR: ContextVar[_Run | None] = ContextVar("indicators_run_cursor", default=None)


@contextmanager
def script_run() -> Iterator[None]:
    """One script run of a page: the router (``app.py``, ``router=True``) runs every page
    inside it, so the run's connection is closed (the DuckDB file let go) when the page
    is done — also when it stops or reruns."""
    with ExitStack() as closing:
        token = _RUN_CURSOR.set(_Run(closing))
        try:
            yield
        finally:
            _RUN_CURSOR.reset(token)


def db() -> Connection:
    """This script run's connection, opened on its first statement and closed when the
    run ends."""
    _leave_legacy_pages()
    run = _RUN_CURSOR.get()
    if run is None:
        raise RuntimeError("ui.db() outside ui.script_run(): pages run through the router in app.py")
    if run.con is None:
        run.con = _RunConnection(run.closing, db_target())
    return run.con  # type: ignore[return-value] - it behaves as the Connection it opens


def deferred(make: Callable[[Connection], T]) -> Callable[[], T]:
    """For a download generated on click — after this run has ended, on another thread:
    a callable that opens its own connection, calls ``make(con)`` and closes it."""
    where = db_target()

    def run() -> T:
        with _opened(where) as con:
            return make(con)
    return run


def data_version(con: Connection) -> tuple:
    """Changes with every write of data (not with a sign-in, a sign-out or a send:
    ``catalog.versions``): the cache key of results computed from the database."""
    return _versions(con)[1]


def write_version(con: Connection) -> tuple:
    """Changes with every write, a sign-in too: the cache key of a read of bookkeeping —
    whether a session is still valid (``cached_until_any_write``)."""
    return _versions(con)[0]


_file_versions: dict[str, tuple] = {}  # DuckDB file → (its stamp, (write, data version) at that stamp)


def _versions(con: Connection) -> tuple[tuple, tuple]:
    """(write version, data version). On the DuckDB file the write version is the file's
    (and its WAL's) mtime and size, read without touching the database, and the data
    turn is asked only when that stamp moved (the stamp first: a write landing in between
    moves it again). On PostgreSQL both turns, asked once per script run (a page asks for
    several cached results) and again after the run wrote."""
    stamp = con.store.stamp()
    if stamp is not None:
        known = _file_versions.get(con.target)
        if known is None or known[0] != stamp:
            known = (stamp, (stamp, catalog.versions(con)[1]))
            _file_versions[con.target] = known
        return known[1]
    if not isinstance(con, _RunConnection):
        return catalog.versions(con)
    if con.version is None:
        con.version = catalog.versions(con)
    return con.version


def cached(fn: Callable[..., T], con: Connection, *args, **kwargs) -> T:
    """``fn(con, *args, **kwargs)`` — a read of page data — computed once per data
    version and arguments in this process, for every session: until the data changes,
    a rerun gets it without touching the database. A frame this run got from the caches
    (the dispatch table, say) is keyed by what it was computed from, not hashed row by
    row on every call."""
    version, name = data_version(con), f"{fn.__module__}.{fn.__qualname__}"
    key = _hashable_key(tuple(_key(a) for a in args), {k: _key(v) for k, v in kwargs.items()})
    result = _cached(db_target(), version, name, key, fn, args, kwargs)
    return _remember(fresh(result), ("cached", name, version, key))


def cached_until_any_write(fn: Callable[..., T], con: Connection, *args) -> T:
    """``cached`` for a read of bookkeeping that a sign-in, a sign-out or a send changes
    without changing any data — whether a session still holds: computed again after
    every write, not only after writes of data."""
    version, name = ("every write",) + write_version(con), f"{fn.__module__}.{fn.__qualname__}"
    return _cached(db_target(), version, name, _hashable_key(tuple(_key(a) for a in args), {}), fn, args, {})


# The caches hold results as objects, never pickled: st.cache_data pickled a 13 MiB
# dispatch table on the big database and unpickled it on every rerun. Every session gets
# the same object; ``cache_frames.fresh`` hands each run new (copy-on-write) frames over
# the same data, so nothing a page does to them reaches the cache. Memory is bounded by
# size: the page data (``cached``, ``computed``) are kept while their entries hold at most
# CACHED_BYTES and COMPUTED_BYTES (``cache_frames.SizedCache``, the least recently used
# dropped first), however many months and units are viewed; a month's dispatch table on
# the 7.2 M-observation database holds ≈ 20 MiB packed (``cache_frames.pack``: each text
# coded; ≈ 37 MiB as a frame with each text held once): the tables are kept while they
# hold at most DISPATCH_BYTES — two months there (a unit looked at after another month
# needs no table computed again: with one kept it did), every month of a city the size of
# the demo (with two entries, 50 leaders clicking through five months recomputed a table
# on most clicks) — and a page whose results are cached does not need its table.
CACHED_BYTES = 32 * 2**20
COMPUTED_BYTES = 16 * 2**20
DISPATCH_BYTES = 48 * 2**20


@st.cache_resource(show_spinner=False)
def _process_store(which: str, max_bytes: int) -> SizedCache:
    """The process's cache of ``which`` page data (``st.cache_resource.clear()`` empties it)."""
    return SizedCache(max_bytes)


def _store(which: str, max_bytes: int) -> SizedCache:
    """``_process_store``, looked up once per script run: a call of a ``st.cache_resource``
    function with arguments costs ≈ 0.5 ms (it hashes them), and a page asks its caches
    dozens of times a run (every table and card). A run that began before a
    ``st.cache_resource.clear()`` keeps the store it found; the next run gets the new one."""
    run = _RUN_CURSOR.get()
    if run is None:
        return _process_store(which, max_bytes)
    got = run.stores.get(which)
    if got is None:
        got = run.stores[which] = _process_store(which, max_bytes)
    return got


def _hashable_key(key_args: tuple, key_kwargs: dict) -> tuple:
    """The arguments as a cache key: each value itself, or (unhashable: a list, a frame
    not from the caches …) its pickled bytes."""
    def one(value):
        try:
            hash(value)
            return value
        except TypeError:
            return ("pickled", type(value).__qualname__, pickle.dumps(value))
    return tuple(map(one, key_args)), tuple((k, one(v)) for k, v in sorted(key_kwargs.items()))


def _cached(target: str, version: tuple, name: str, key: tuple, fn: Callable, args: tuple, kwargs: dict) -> object:
    def make():
        resolved_args, resolved_kwargs = _resolved(args), _resolved(kwargs)  # a table first: it opens the database
        with _opened(target) as con:
            return fn(con, *resolved_args, **resolved_kwargs)
    return _store("cached", CACHED_BYTES).get((target, version, name, key), make)


def computed(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` — page data computed, without the database, from frames
    this run got from the caches — once per what those came from and the other
    arguments, for every session: a rerun on unchanged data does not compute it again."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    key = _hashable_key(tuple(_key(a) for a in args), {k: _key(v) for k, v in kwargs.items()})
    result = _store("computed", COMPUTED_BYTES).get((name, key), lambda: fn(*_resolved(args), **_resolved(kwargs)))
    return _remember(fresh(result), ("computed", name, key))


def _remember(value: T, source: tuple) -> T:
    """Note that this run's ``value`` (a frame, a dataclass's frames, or those of the parts
    of a tuple: ``supervision_lists``' two lists) came from the caches, computed from
    ``source``."""
    run = _RUN_CURSOR.get()
    if run is None:
        return value
    if isinstance(value, pd.DataFrame):
        run.frames[id(value)] = (value, source)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            part = getattr(value, f.name)
            if isinstance(part, pd.DataFrame):
                run.frames[id(part)] = (part, (*source, f.name))
    elif isinstance(value, tuple) and not hasattr(value, "_fields"):
        for i, part in enumerate(value):
            _remember(part, (*source, i))
    return value


def _source(value: object) -> tuple | None:
    """What ``value`` was computed from, when it is a frame this run got from the caches."""
    run = _RUN_CURSOR.get()
    known = run.frames.get(id(value)) if run is not None and isinstance(value, pd.DataFrame) else None
    return known[1] if known is not None and known[0] is value else None


def from_caches(value: object) -> bool:
    """Whether ``value`` is a frame this run got from the caches: ``computed`` keys it by
    what it was computed from (any other frame it would pickle, row by row, as its key)."""
    return _source(value) is not None


def _key(value: object) -> object:
    """What identifies ``value`` in a cache key: for a frame this run got from the caches,
    what it was computed from; for a ``Dispatch``, its key; anything else stands for itself."""
    if isinstance(value, Dispatch):
        return value.key
    source = _source(value)
    return value if source is None else ("frame", source)


@st.cache_resource(show_spinner=False)
def _tables() -> SizedCache:
    """The process's dispatch tables (``st.cache_resource.clear()`` empties it)."""
    return SizedCache(DISPATCH_BYTES, size=packed_bytes)


def _dispatch(target: str, period: str, version: tuple, _settings: Settings, settings_key: tuple) -> pd.DataFrame:
    """The table: the one kept, unpacked once per script run (``cache_frames.unpack``; a
    page that misses its caches resolves it for each result it computes), each caller
    its own copy-on-write copy."""
    def make() -> pd.DataFrame:
        with _opened(target) as con:
            table = pack(dispatch_table(con, period, _settings))
        release_freed()  # what computing it took (≈ 300 MiB at its peak on the 7.2 M db), given back
        return table
    key = (target, period, version, settings_key)
    run = _RUN_CURSOR.get()
    table = run.tables.get(key) if run is not None else None
    if table is None:
        table = unpack(_tables().get(key, make))
        if run is not None:
            run.tables[key] = table
    return fresh(table)


def dispatch(con: Connection, period: str) -> pd.DataFrame:
    """The dispatch table of ``period``, cached until the data changes."""
    s = settings()
    key = _dispatch_key(s)
    version = data_version(con)
    return _remember(_dispatch(db_target(), period, version, s, key), ("dispatch", period, version, key))


@dataclass(frozen=True)
class Dispatch:
    """The dispatch table of a month as ``cached`` and ``computed`` take it: its key
    (month, data version, settings), the table itself got — from its cache, or computed —
    only when a result that needs it is computed. So a rerun whose page data are cached
    needs no table, and the tables kept (``DISPATCH_BYTES``) bound the memory without
    a month seen before costing the table again."""
    target: str
    period: str
    version: tuple
    settings_key: tuple

    @property
    def key(self) -> tuple:
        return ("dispatch", self.period, self.version, self.settings_key)

    def frame(self) -> pd.DataFrame:
        return _dispatch(self.target, self.period, self.version, settings(), self.settings_key)


def dispatch_later(con: Connection, period: str) -> Dispatch:
    """The dispatch table of ``period`` for ``cached`` / ``computed`` (``Dispatch``)."""
    return Dispatch(db_target(), period, data_version(con), _dispatch_key(settings()))


def _resolved(values):
    """``values`` (args or kwargs) with each ``Dispatch`` replaced by its table."""
    if isinstance(values, dict):
        return {k: v.frame() if isinstance(v, Dispatch) else v for k, v in values.items()}
    return tuple(v.frame() if isinstance(v, Dispatch) else v for v in values)


def _dispatch_key(s: Settings) -> tuple:
    """The settings the dispatch table depends on."""
    return (s.pacing, s.done_at, s.lagging_from_pp)

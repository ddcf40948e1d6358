"""Opening the warehouse: the writer's working file (with migrations and views) and read-only readers.

Migrations are the ordered files in `warehouse/migrations/` (NNNN_name.sql), each applied once in
its own transaction and recorded in `core.schema_migrations`; a failing one rolls back and stops the
command. Public views are the files in `warehouse/views/`, recreated whenever their text changes,
each after the views it reads (DuckDB binds a view's query when it is created).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from dltrends.errors import DltrendsError, ExitCode
from warehouse.files import copy_atomic

log = logging.getLogger(__name__)

MIGRATIONS = resources.files("warehouse") / "migrations"
VIEWS = resources.files("warehouse") / "views"


class MigrationError(RuntimeError):
    """A migration failed; the warehouse is left as it was before it."""


class SeedError(DltrendsError):
    """The working file could not be copied from the published one (disk full); no partial copy
    is left behind."""

    exit_code = ExitCode.STORAGE


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with UTC as its time zone, so TIMESTAMPTZ values read back in UTC."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    return con


def open_reader(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection that always sees the file as it is now.

    `duckdb.connect(path)` shares one database instance per path within a process: a connection
    opened while another one on the same path is still open (a dashboard session's query, the
    cache warm-up, a result not yet released) reads the file as it was when that first one opened
    it, even after a publish has replaced it. So each reader gets a private in-memory instance
    with the file attached read-only, under its usual name (the file's stem).

    Its `now()` is the process's clock at the moment the reader opened (see below), so one page or
    report sees one instant in SQL and in Python.
    """
    con = connect(":memory:")
    try:
        name = Path(path).stem
        if name.lower() in ("memory", "system", "temp", "main"):
            name = "warehouse"
        con.execute(f"ATTACH {sql_string(path)} AS {quote_ident(name)} (READ_ONLY)")
        con.execute(f"USE {quote_ident(name)}")
        # One clock: `now()` in the views and queries is this process's clock when the reader
        # opened, the same instant Python code compares against (and a test can freeze).
        now = dt.datetime.now(dt.UTC).isoformat()
        con.execute(f"CREATE TEMP MACRO now() AS TIMESTAMPTZ {sql_string(now)}")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def reader(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the published file (see `open_reader`)."""
    con = open_reader(path)
    try:
        yield con
    finally:
        con.close()


def open_working(work: Path, published: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the writer's working file and bring it to the current shape.

    A missing working file is seeded from the published file when one exists, so history
    survives a lost or deleted working copy. The copy is made beside it and renamed into place:
    a kill or a full disk mid-copy leaves no truncated working file for the next writer to trip on.
    """
    work.parent.mkdir(parents=True, exist_ok=True)
    if not work.exists() and published is not None and published.exists():
        log.info("seeding the working file %s from the published %s", work, published)
        try:
            copy_atomic(published, work)
        except OSError as exc:
            raise SeedError(
                f"could not seed the working file {work} from {published} "
                f"({exc.strerror or exc}); nothing was written and the published file is unchanged"
            ) from exc
    con = connect(work)
    try:
        ensure_shape(con)
    except Exception:
        con.close()
        raise
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.begin()
    try:
        yield con
    except BaseException:
        try:
            con.rollback()
        except duckdb.Error:
            # Interrupted between a query and its fetch (SIGTERM): DuckDB refuses the rollback.
            # Closing the connection discards the open transaction just the same.
            con.close()
        raise
    con.commit()


def ensure_shape(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, then (re)create the public views; returns the migrations applied."""
    con.execute(
        "CREATE SCHEMA IF NOT EXISTS core;"
        "CREATE TABLE IF NOT EXISTS core.schema_migrations ("
        " name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
        "CREATE TABLE IF NOT EXISTS core.meta (key VARCHAR PRIMARY KEY, value VARCHAR);"
    )
    done = {row[0] for row in con.execute("SELECT name FROM core.schema_migrations").fetchall()}
    applied = []
    for name, sql in _sql_files(MIGRATIONS):
        if name in done:
            continue
        try:
            with transaction(con):
                con.execute(sql)
                con.execute("INSERT INTO core.schema_migrations (name) VALUES (?)", [name])
        except duckdb.Error as exc:
            raise MigrationError(f"migration {name} failed and was rolled back: {exc}") from exc
        log.info("applied migration %s", name)
        applied.append(name)
    _ensure_views(con)
    return applied


def _ensure_views(con: duckdb.DuckDBPyConnection) -> None:
    files = _sql_files(VIEWS)
    digest = hashlib.sha256("".join(sql for _, sql in files).encode()).hexdigest()
    rows = con.execute("SELECT value FROM core.meta WHERE key = 'views_sha256'").fetchall()
    if rows and rows[0][0] == digest:
        return
    with transaction(con):
        for _, sql in _dependency_order(files):
            con.execute(sql)
        con.execute(
            "INSERT INTO core.meta VALUES ('views_sha256', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [digest]
        )


def _dependency_order(files: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """View files ordered so that each comes after the views its query names (name order otherwise).

    A file's view is the one its `CREATE ... VIEW [schema.]name` creates, whatever the file is called.
    """
    created = {name: _view_name(name, sql) for name, sql in files}
    deps = {}
    for name, sql in files:
        query = re.sub(r"--[^\n]*", "", sql.split("COMMENT ON", 1)[0])
        query = query.split(" AS", 1)[-1]  # the view's own name is not a dependency
        deps[name] = {other for other, view in created.items()
                      if other != name and re.search(rf"\b{re.escape(view)}\b", query)}
    ordered: list[tuple[str, str]] = []
    done: set[str] = set()
    pending = list(files)
    while pending:
        ready = [f for f in pending if deps[f[0]] <= done] or pending[:1]  # a cycle: name order
        ordered.append(ready[0])
        done.add(ready[0][0])
        pending.remove(ready[0])
    return ordered


def _view_name(file_name: str, sql: str) -> str:
    match = re.search(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:\w+\.)?(\w+)", sql, re.I)
    return match[1] if match else file_name


def _sql_files(folder) -> list[tuple[str, str]]:
    files = sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir()
                   if f.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), sql) for name, sql in files]


def public_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
        "AND NOT temporary ORDER BY view_name"
    ).fetchall()
    return [r[0] for r in rows]


def quote_ident(name: str) -> str:
    """A DuckDB identifier in double quotes (a view or column name from data or settings)."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: object) -> str:
    """A DuckDB string literal in single quotes (a path for ATTACH or COPY)."""
    return "'" + str(value).replace("'", "''") + "'"


def has_rows(con: duckdb.DuckDBPyConnection, view: str) -> bool:
    """True when the public view holds at least one row."""
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM main.{quote_ident(view)})").fetchall()[0][0])

"""The SQL console's sandbox: one read-only query on the published file, in a worker process that
cannot read files, change settings, load extensions, or outlive its time and memory limits.

Three layers; each stops most attacks on its own, together they stop all we know of:

1. The statement check, with DuckDB's own parser: exactly one statement, of type SELECT (which
   covers WITH, FROM-first, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW). Its syntax tree
   (`json_serialize_sql`) may call only the table functions in `TABLE_FUNCTIONS`, none of the
   scalar functions in `DENIED_FUNCTIONS`, and name no table that looks like a file path. What runs
   is the exact text that passed the check.
2. The connection: `read_only`, `enable_external_access = false` (no file or network access, no
   COPY, ATTACH, INSTALL or LOAD), extension autoload and autoinstall off, Python replacement
   scans off, no temp directory, DuckDB's `memory_limit` and `threads` from the settings, then
   `lock_configuration = true` so a query cannot SET any of it back.
3. The process: the check and the query run in a child process (`python -P -c ...`, so the
   working directory is not on its import path) with a clean environment, on Linux an
   address-space limit, a CPU-time limit of its own, and a lifeline that kills it when its parent
   ends (dltrends.lifeline); the parent kills it when the time limit passes. DuckDB has no
   statement timeout, and some work (a list of 10^9 elements, a 1 GB string, parsing megabytes of
   SQL) neither honours `memory_limit` nor checks for interrupts, so only a process boundary
   bounds it. The parent only measures the text (`Limits.max_query_bytes`) before it starts one.

The result is cut at `Limits.max_rows` rows or `Limits.max_bytes` bytes (Arrow's in-memory size,
measured in the worker), whichever comes first. With `hide_paths` (a dashboard that listens
beyond localhost) the query cannot name the file's path or the settings that hold it, and error
texts have the data folder and HOME blanked out.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dltrends import lifeline
from dltrends.errors import UsageError

# Table functions that read only the database or compute values; everything else (read_csv, glob,
# query, checkpoint, enable_logging, python scans, ...) touches files, the session or hides SQL.
TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "json_each", "json_tree", "repeat", "repeat_row",
    "histogram", "histogram_values", "duckdb_columns", "duckdb_constraints", "duckdb_databases",
    "duckdb_dependencies", "duckdb_functions", "duckdb_indexes", "duckdb_keywords",
    "duckdb_schemas", "duckdb_sequences", "duckdb_tables", "duckdb_types", "duckdb_views",
    "pragma_table_info", "pragma_show", "pragma_version", "pragma_database_size",
    "pragma_storage_info", "pg_timezone_names", "icu_calendar_names",
})
DENIED_FUNCTIONS = frozenset({"sleep_ms", "pg_sleep", "write_log", "getenv",
                              "json_execute_serialized_sql"})
# System views that wrap a table function outside TABLE_FUNCTIONS (`FROM pg_settings` reads
# duckdb_settings(), which holds the file's path); a bare name is a table to the parser.
DENIED_TABLES = frozenset({"pg_settings", "pragma_database_list", "duckdb_logs"})
# What names the file's path or HOME: hidden when the dashboard listens beyond localhost.
PATH_FUNCTIONS = frozenset({"current_setting", "duckdb_databases"})
ALLOWED_KINDS = "SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW"
PATH_CHARS = frozenset("/\\:.~*?")
ADDRESS_HEADROOM_MB = 768  # the interpreter, DuckDB and Arrow before any query data
KILL_WAIT_S = 5.0
WORKER_ENV = ("PATH", "PYTHONPATH", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")
REFUSED_EXIT = 3
CPU_HEADROOM_S = 10  # the worker's start (imports, opening the file) before the query's CPU time
BATCH_ROWS = 2048
ROOT = Path(__file__).resolve().parent.parent
# The worker's start: -P keeps the inherited working directory off sys.path (a stray
# warehouse/ or json.py there must not be imported); the code's own folder goes first instead.
BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); from warehouse.sandbox import _worker; "
        "sys.exit(_worker(int(sys.argv[2])))")


class SandboxError(UsageError):
    """A console query that did not produce a result; `code` and `params` let a UI translate it."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params


class QueryRefused(SandboxError):
    """The query is not allowed in the console (caught before or while it runs)."""


class QueryStopped(SandboxError):
    """The query ran past its time or memory limit and was stopped."""


class QueryFailed(SandboxError):
    """An ordinary SQL error: a typo, an unknown column, a type mismatch."""


@dataclass(frozen=True)
class Limits:
    """How long, how much memory, how many threads, rows and bytes one console query may have,
    and how long its text may be."""

    seconds: float = 30.0
    memory_mb: int = 512
    threads: int = 2
    max_rows: int = 100_000
    max_bytes: int = 64 * 2**20
    max_query_bytes: int = 100_000

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(settings.sql_timeout, settings.sql_memory_mb, settings.sql_threads,
                   settings.sql_max_rows, settings.sql_max_bytes, settings.sql_max_query_bytes)


@dataclass
class Result:
    """A console query's rows (at most `Limits.max_rows`, `Limits.max_bytes`) and how it ran."""

    table: pa.Table
    truncated: bool
    seconds: float
    sql: str = ""  # the text that ran (the query without its closing semicolon)
    cut: str = ""  # "rows" or "bytes": the limit that cut the result

    @property
    def rows(self) -> int:
        return self.table.num_rows


def connection_config(limits: Limits) -> dict[str, Any]:
    """DuckDB settings of a sandboxed connection (lock_configuration is set after TimeZone)."""
    return {
        "enable_external_access": False,
        "autoload_known_extensions": False,
        "autoinstall_known_extensions": False,
        "allow_community_extensions": False,
        "python_enable_replacements": False,
        "temp_directory": "",
        "memory_limit": f"{limits.memory_mb}MB",
        "threads": limits.threads,
    }


def open_sandbox(db: Path | str, limits: Limits) -> duckdb.DuckDBPyConnection:
    """A read-only, locked-down connection to `db` (":memory:" for a parser-only connection)."""
    read_only = str(db) != ":memory:"
    con = duckdb.connect(str(db), read_only=read_only, config=connection_config(limits))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET lock_configuration = true")
    return con


def check_size(sql: str, limits: Limits) -> None:
    """Refuse text longer than `limits.max_query_bytes` (UTF-8) before anything parses it."""
    size = len(sql.encode("utf-8", "surrogatepass"))
    if size > limits.max_query_bytes:
        raise QueryRefused("too_long", f"the query is {size:,} bytes long; the console takes at "
                           f"most {limits.max_query_bytes:,} (DLTRENDS_SQL_MAX_QUERY_BYTES)",
                           size=f"{size:,}", limit=f"{limits.max_query_bytes:,}")


def check(sql: str, con: duckdb.DuckDBPyConnection | None = None, *,
          hide_paths: bool = False) -> str:
    """The text to run if `sql` is one allowed read-only query; raises QueryRefused otherwise.
    Parsing is unbounded in time and memory: call it in the worker, on text of a checked size."""
    own = con is None
    con = con or open_sandbox(":memory:", Limits(threads=1, memory_mb=64))
    try:
        _one_select(sql, con)
        text = _strip_terminator(sql)
        _one_select(text, con)
        for kind, name in _references(text, con):
            _refuse_reference(kind, name, hide_paths)
        return text
    finally:
        if own:
            con.close()


def _one_select(sql: str, con: duckdb.DuckDBPyConnection) -> None:
    if not sql.strip():
        raise QueryRefused("empty", "no SQL given")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused("syntax", f"not valid SQL: {_first_line(exc)}", detail=_first_line(exc)) \
            from None
    except ValueError:  # a statement type the Python client has no name for
        raise QueryRefused("statement", "this kind of statement is not allowed: the console runs "
                           f"one read-only query ({ALLOWED_KINDS})", kind="?") from None
    if len(statements) != 1:
        raise QueryRefused("multiple", f"one statement at a time, please ({len(statements)} found)",
                           n=len(statements))
    kind = statements[0].type.name
    if kind != "SELECT":
        raise QueryRefused("statement", f"{kind} statements are not allowed: the console runs one "
                           f"read-only query ({ALLOWED_KINDS})", kind=kind)


def _strip_terminator(sql: str) -> str:
    """The statement without its closing semicolon (and any comment after it), so it can be
    wrapped in a row limit. In a single statement a `;` operator token can only be the end."""
    data = sql.encode("utf-8", "surrogatepass")  # the tokenizer counts UTF-8 bytes, not characters
    for position, kind in duckdb.tokenize(sql):
        if kind == duckdb.token_type.operator and data[position:position + 1] == b";":
            return data[:position].decode("utf-8", "surrogatepass")
    return sql


def _references(sql: str, con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(kind, name) of every table, table function and function the query's syntax tree names."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchall()[0][0])
    if tree.get("error"):
        message = tree.get("error_message", "cannot be analysed")
        raise QueryRefused("syntax", f"not valid SQL: {message}", detail=message)
    found: list[tuple[str, str]] = []
    _walk(tree["statements"], found)
    return found


def _walk(node: Any, found: list[tuple[str, str]]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
        return
    if not isinstance(node, dict):
        return
    skip = None
    if node.get("type") == "TABLE_FUNCTION":
        function = node.get("function") or {}
        found.append(("table_function", str(function.get("function_name", "")).lower()))
        # every part of the call: DuckDB 2 names the arguments `arguments` ({name, expression}
        # pairs), DuckDB 1.x names them `children`
        _walk([v for v in function.values() if isinstance(v, dict | list)], found)
        skip = "function"  # its call node is not a scalar function
    elif node.get("class") == "FUNCTION":
        found.append(("function", str(node.get("function_name", "")).lower()))
    elif node.get("type") == "BASE_TABLE":
        found.append(("table", str(node.get("table_name", ""))))
    for key, value in node.items():
        if key != skip and isinstance(value, dict | list):
            _walk(value, found)


def _refuse_reference(kind: str, name: str, hide_paths: bool = False) -> None:
    if hide_paths and name.lower() in PATH_FUNCTIONS | {"pragma_database_list"}:
        raise QueryRefused("hidden", f"{name} is not available on a shared dashboard: it names "
                           "the server's files", name=name)
    if kind == "table_function" and name not in TABLE_FUNCTIONS:
        raise QueryRefused("table_function", f"{name}() is not allowed: the console reads the "
                           "published warehouse only (no files, no session changes)", name=name)
    if kind == "function" and (name in DENIED_FUNCTIONS or name.startswith("__internal")):
        raise QueryRefused("function", f"{name}() is not allowed in the console", name=name)
    if kind == "table" and name.lower() in DENIED_TABLES:
        raise QueryRefused("table_function", f"{name} is not allowed: the console reads the "
                           "published warehouse only (no files, no session changes)", name=name)
    if kind == "table" and (set(name) & PATH_CHARS or name.lower().startswith("http")):
        raise QueryRefused("file", f"'{name}' looks like a file path: the console reads the "
                           "published warehouse only, never files", name=name)


def _first_line(exc: BaseException) -> str:
    """DuckDB's message without the echo of the query ("LINE 1: ..." and its caret)."""
    lines = []
    for line in str(exc).strip().splitlines():
        if line.startswith("LINE "):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or type(exc).__name__


# The parent side: spawn the worker, enforce the time limit, read its answer.

def run(db: Path, sql: str, limits: Limits, *, hide_paths: bool = False) -> Result:
    """Run one console query on the published file `db` in a sandboxed worker process, which
    checks it (`check`) and runs it; `hide_paths` when the viewer is not the server's user."""
    check_size(sql, limits)  # the only work on the text before a limited process has it
    if not sql.strip():
        raise QueryRefused("empty", "no SQL given")
    if not Path(db).exists():
        raise UsageError(f"no published warehouse at {db}; run `dltrends collect` first")
    request = json.dumps({"db": str(Path(db).resolve()), "sql": sql, "limits": limits.__dict__,
                          "hide_paths": hide_paths}).encode()
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-P", "-c", BOOT, str(ROOT), str(os.getpid())],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_worker_env())
    try:
        out, err = proc.communicate(request, timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=KILL_WAIT_S)
        raise QueryStopped("timeout", f"stopped after {limits.seconds:g} s, the time limit "
                           "(DLTRENDS_SQL_TIMEOUT)", seconds=limits.seconds) from None
    elapsed = time.monotonic() - start
    return _answer(proc.returncode, out, err, limits, elapsed)


def _worker_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in WORKER_ENV if k in os.environ}
    if "PYTHONPATH" in env:  # an empty or relative entry would put the working directory back
        paths = [p for p in env["PYTHONPATH"].split(os.pathsep) if os.path.isabs(p)]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    # glibc reserves 64 MiB of address space per thread arena; two keep RLIMIT_AS meaningful.
    return env | {"MALLOC_ARENA_MAX": "2", "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}


def _answer(code: int, out: bytes, err: bytes, limits: Limits, elapsed: float) -> Result:
    if code == 0:
        reader = pa.ipc.open_stream(out)
        meta = {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
        table = reader.read_all().replace_schema_metadata(None)
        cut = meta.get("dltrends.cut", "")
        return Result(table, bool(cut), elapsed, meta.get("dltrends.sql", ""), cut)
    if code == REFUSED_EXIT:
        answer = json.loads(out.decode("utf-8"))
        cls = {"refused": QueryRefused, "stopped": QueryStopped}.get(answer["class"], QueryFailed)
        raise cls(answer["code"], answer["message"], **answer["params"])
    tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {code}"]
    raise QueryStopped("crashed", "the query's worker process ended without an answer "
                       f"({tail[0]}); it most likely ran out of memory "
                       f"(DLTRENDS_SQL_MEMORY_MB={limits.memory_mb})", detail=tail[0],
                       memory_mb=limits.memory_mb)


def _cpu_seconds(limits: Limits) -> int:
    """The worker's own CPU-time cap: above what the wall-clock limit allows, so it only acts
    when the parent that enforces that limit is gone."""
    return math.ceil(limits.seconds * limits.threads) + CPU_HEADROOM_S


# The worker side: `python -P -c BOOT <root> <parent pid>` reads one request on stdin.

def _worker(parent: int) -> int:
    lifeline.arm(parent)
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    limits = Limits(**request["limits"])
    lifeline.cap_cpu(_cpu_seconds(limits))
    _cap_address_space(limits)
    db, hide = Path(request["db"]), bool(request.get("hide_paths"))
    try:
        check_size(request["sql"], limits)
        text, table, cut = _execute(db, request["sql"], limits, hide)
    except SandboxError as exc:
        kind = "refused" if isinstance(exc, QueryRefused) else (
            "stopped" if isinstance(exc, QueryStopped) else "failed")
        message, params = str(exc), exc.params
        if hide:
            message, params = _blank(message, db), {k: _blank(str(v), db) for k, v in params.items()}
        answer = {"class": kind, "code": exc.code, "message": message, "params": params}
        sys.stdout.buffer.write(json.dumps(answer, default=str).encode("utf-8"))
        return REFUSED_EXIT
    meta = {"dltrends.sql": text, "dltrends.cut": cut}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    sys.stdout.buffer.write(sink.getvalue())
    return 0


def _blank(text: str, db: Path) -> str:
    """`text` without the data folder's path or HOME (a shared dashboard names neither)."""
    for secret in sorted({str(db.parent), os.path.expanduser("~")} - {"", "/", "~"}, key=len,
                         reverse=True):
        text = text.replace(secret, "…")
    return text


def _cap_address_space(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # Windows: memory_limit and the time limit still hold
        return
    cap = (limits.memory_mb + ADDRESS_HEADROOM_MB) * 2**20
    with contextlib.suppress(ValueError, OSError):  # macOS refuses or ignores RLIMIT_AS
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _execute(db: Path, sql: str, limits: Limits, hide_paths: bool) -> tuple[str, pa.Table, str]:
    """The text that ran, its result, and "rows" or "bytes" when a limit cut it."""
    memory = QueryStopped("memory", f"the query needs more than {limits.memory_mb} MiB, the "
                          "memory limit (DLTRENDS_SQL_MEMORY_MB)", memory_mb=limits.memory_mb)
    try:
        con = open_sandbox(db, limits)
    except duckdb.Error as exc:
        raise QueryFailed("open", f"cannot open {db.name}: {_first_line(exc)}",
                          detail=_first_line(exc)) from None
    try:
        text = check(sql, con, hide_paths=hide_paths)
        return (text, *_fetch(con.sql(text).limit(limits.max_rows + 1), limits))
    except duckdb.OutOfMemoryException as exc:
        raise memory from exc
    except MemoryError:
        raise memory from None
    except duckdb.PermissionException as exc:
        raise QueryRefused("permission", f"refused by the sandbox: {_first_line(exc)}",
                           detail=_first_line(exc)) from None
    except duckdb.Error as exc:
        raise QueryFailed("sql", f"query failed: {_first_line(exc)}", detail=_first_line(exc)) \
            from None
    finally:
        con.close()


def _fetch(relation: duckdb.DuckDBPyRelation, limits: Limits) -> tuple[pa.Table, str]:
    """The relation's rows up to `limits.max_rows` and `limits.max_bytes` (Arrow's size), read
    batch by batch so a result over the byte cap is never held whole."""
    reader = (relation.to_arrow_reader(BATCH_ROWS) if hasattr(relation, "to_arrow_reader")
              else relation.fetch_record_batch(BATCH_ROWS))  # DuckDB 1.x
    batches, rows, size, cut = [], 0, 0, ""
    for batch in reader:
        if size + batch.nbytes > limits.max_bytes:
            batch, cut = batch.slice(0, _rows_within(batch, limits.max_bytes - size)), "bytes"
        batches.append(batch)
        rows, size = rows + batch.num_rows, size + batch.nbytes
        if cut or rows > limits.max_rows:
            break
    table = pa.Table.from_batches(batches, reader.schema)
    if table.num_rows > limits.max_rows:
        table, cut = table.slice(0, limits.max_rows), "rows"
    return table, cut


def _rows_within(batch: pa.RecordBatch, budget: int) -> int:
    """The most leading rows of `batch` whose Arrow size fits in `budget` bytes."""
    low, high = 0, batch.num_rows
    while low < high:
        middle = (low + high + 1) // 2
        if batch.slice(0, middle).nbytes <= budget:
            low = middle
        else:
            high = middle - 1
    return low


if __name__ == "__main__":
    sys.exit(_worker(os.getppid()))

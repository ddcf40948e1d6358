"""The files survive: readers during writes, kill -9 at random points, a full disk, no secrets.

Each test asserts that nothing was lost or duplicated; the ones that start real processes are
marked slow (they are part of `make test`).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import duckdb
import pytest

import jobs.collect.run
import warehouse.publish
from dltrends.registry import load_registry
from dltrends.settings import Settings
from jobs.collect.run import collect
from jobs.collect.sources import SOURCES
from tests.support.db import query, snapshot
from tests.support.fakeserver import Response, status
from tests.support.ops import (
    SCHEDULER_EVERY_2S,
    FakeSmtp,
    GenerationalPypi,
    KillTrial,
    age_run_log,
    cli_env,
    consistent,
    dltrends,
    generations,
    log_lines,
    sha,
    wait_for,
)
from tests.support.settings import make_settings
from tests.support.signals import SIGNALS_REGISTRY
from warehouse.publish import PublishError

# -- readers and writers -----------------------------------------------------------------------

READER = textwrap.dedent("""
    import json, os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    errors, reads, states, latencies, last_runs = [], 0, set(), [], 0
    while not os.path.exists(stop):
        start = time.perf_counter()
        try:  # as the dashboard does: a connection per query, closed at once
            con = duckdb.connect(path, read_only=True)
            try:
                files, listed, runs = con.execute(
                    "SELECT (SELECT coalesce(sum(file_count), 0) FROM releases), "
                    "(SELECT count(*) FROM release_files), (SELECT count(*) FROM collector_runs)"
                ).fetchall()[0]
                markers = con.execute(
                    "SELECT package, count(*) FILTER (WHERE version LIKE '99.0.%') FROM releases "
                    "GROUP BY package").fetchall()
            finally:
                con.close()
            if files != listed:
                errors.append(f"releases count {files} files, release_files lists {listed}")
            if any(n != 1 for _, n in markers):
                errors.append(f"a package without exactly one marker: {markers}")
            if runs < last_runs:
                errors.append(f"the run log went back from {last_runs} to {runs} runs")
            last_runs = runs
            states.add(runs)
            reads += 1
            latencies.append(time.perf_counter() - start)
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.02)
    print(json.dumps({"errors": errors, "reads": reads, "states": sorted(states),
                      "latencies": latencies}))
""")


FEW = ("-s", "pypi", "-f", "tinygrad", "-f", "mlx", "-f", "keras")  # a job takes ~1.5 s: writes every 2 s


@pytest.mark.slow
def test_readers_never_fail_while_a_scheduler_writes_every_2_s(tmp_path, server):
    GenerationalPypi(server, gen=lambda: int(time.time() * 2))  # new data every half second
    db = tmp_path / "dl.duckdb"
    env = cli_env(db, server.url, DLTRENDS_CONCURRENCY="4")
    assert dltrends("collect", *FEW, env=env).wait(120) == 0
    stop = tmp_path / "stop"
    reader_proc = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)],
                                   stdout=subprocess.PIPE, text=True)
    sched = subprocess.Popen([sys.executable, "-c", SCHEDULER_EVERY_2S, *FEW], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(30)
    sched.send_signal(signal.SIGTERM)
    sched.communicate(timeout=20)
    stop.touch()
    report = json.loads(reader_proc.communicate(timeout=60)[0])
    jobs_run = [line for line in log_lines(db) if " job pypi: " in line]
    if "job pypi: stopped (exit " in jobs_run[-1]:
        jobs_run.pop()  # the job the SIGTERM at the end interrupted (it published nothing)
    assert report["errors"] == []
    assert report["reads"] > 100
    assert len(jobs_run) >= 3 and all(" job pypi: ok (exit 0" in line for line in jobs_run), jobs_run
    assert len(report["states"]) >= len(jobs_run) - 1  # readers saw (nearly) every publish
    assert len(generations(db)) == 3  # each package: exactly its latest marker release


# -- kill -9 -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_kill_9_at_20_random_points_leaves_old_or_new_data_never_a_mix(tmp_path, server):
    pypi = GenerationalPypi(server)
    db = tmp_path / "dl.duckdb"
    trial = KillTrial(db, server.url, pypi)
    trial.run()  # asserts after each kill that the file holds one whole generation, old or new
    assert len(trial.outcomes) == 20
    assert "collecting" in {o.phase for o in trial.outcomes}  # kills hit runs that were writing
    pypi.gen = 22
    env = cli_env(db, server.url)
    rerun = dltrends("collect", *trial.args(), env=env)
    assert rerun.wait(120) == 0
    assert consistent(db) == (22, None)
    statuses = {r[0] for r in query(db, "SELECT status FROM collector_runs")}
    assert statuses <= {"ok", "failed"}  # killed runs were closed as interrupted
    clean_db = tmp_path / "clean" / "dl.duckdb"
    clean = dltrends("collect", *trial.args(), env=cli_env(clean_db, server.url))
    assert clean.wait(120) == 0
    views = ("releases", "release_files", "frameworks")
    assert snapshot(db, views) == snapshot(clean_db, views)  # a rerun equals a clean run


# -- disk full ---------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs (root only); skipped where it cannot be mounted (the patched-write variant in
    test_publish_lock.py covers that case)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of `folder` until `leave` bytes are free."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("wb") as fh:
        fh.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = free - leave
        while remaining > 0:
            try:
                fh.write(chunk[: min(len(chunk), remaining)])
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
            remaining -= len(chunk)
    return filler


def test_disk_full_while_publishing_keeps_the_old_file(small_disk, pypi_server, monkeypatch):
    settings = make_settings(small_disk, pypi_server)
    registry = load_registry(settings.registry)
    collect(settings, registry, ["pypi"], ["tinygrad"])
    before = sha(settings.db)
    checkpoint = warehouse.publish.checkpoint
    fillers = []

    def checkpoint_then_fill(work):
        checkpoint(work)  # the working file is complete; now the disk runs full
        fillers.append(fill(small_disk, leave=1 << 20))

    monkeypatch.setattr(warehouse.publish, "checkpoint", checkpoint_then_fill)
    with pytest.raises(PublishError) as info:
        collect(settings, registry, ["pypi"], ["mlx"])
    assert str(info.value).startswith(f"could not publish {settings.db} (No space left on device); "
                                      "the published file is unchanged and the data is safe in "
                                      "the working file")
    assert sha(settings.db) == before
    assert not [p for p in small_disk.rglob("*.tmp")]
    fillers[0].unlink()
    monkeypatch.setattr(warehouse.publish, "checkpoint", checkpoint)
    assert collect(settings, registry, ["pypi"], ["mlx"]).ok
    assert query(settings.db, "SELECT count(DISTINCT package) FROM releases") == [(2,)]


def test_disk_full_during_the_checkpoint_is_a_publish_error(small_disk, pypi_server, monkeypatch):
    """The disk runs full while the job still writes: closing the working file cannot fold its
    log, and the publish's CHECKPOINT fails inside DuckDB (a FatalException). That is a publish
    error with exit 74, the published file stays as it was, and no row is lost."""
    settings = make_settings(small_disk, pypi_server)
    registry = load_registry(settings.registry)
    collect(settings, registry, ["pypi"], ["tinygrad"])
    before = sha(settings.db)
    after_job = jobs.collect.run.alerts.after_job
    fillers = []

    def fill_then_after_job(con, settings):
        fillers.append(fill(small_disk, leave=64 << 10))  # the job's last step: the disk is full
        return after_job(con, settings)

    monkeypatch.setattr(jobs.collect.run.alerts, "after_job", fill_then_after_job)
    with pytest.raises(PublishError) as info:
        collect(settings, registry, ["pypi"], ["mlx"])
    assert isinstance(info.value.__cause__, duckdb.FatalException)  # it failed in the CHECKPOINT
    assert str(info.value) == (
        f"could not checkpoint the working file {settings.work_path} (No space left on device); "
        "nothing was published: the published file is unchanged and the data is safe in the "
        "working file. Free some space and run the command again")
    assert info.value.exit_code == 74
    assert sha(settings.db) == before
    fillers[0].unlink()
    monkeypatch.setattr(jobs.collect.run.alerts, "after_job", after_job)
    assert collect(settings, registry, ["pypi"], ["tinygrad"]).ok  # the next run publishes it all
    assert query(settings.db, "SELECT count(DISTINCT package) FROM releases") == [(2,)]


# -- secrets -----------------------------------------------------------------------------------

# Every credential dltrends reads, each with a value found nowhere else.
SECRETS = {"GITHUB_TOKEN": "ghp_TopSecretToken0123456789abcdefABCDEF",
           "STACKEXCHANGE_KEY": "SeKeyTopSecret((0123",
           "HF_TOKEN": "hf_TopSecretHubToken0123456789",
           "DLTRENDS_SMTP_PASSWORD": "smtp-TopSecret-Pa55word"}
HOOK_SECRET = "/services/T0SECRET/B0SECRET/HookSecretXyz987"
HOOK_QUERY = {"key": "HookQueryKeyAIza0123", "token": "HookQueryToken-987zyx"}  # Google Chat style
GOOGLE = {"client_secret": "GoogleClientSecret-0123", "refresh_token": "1//GoogleRefresh-0123",
          "access_token": "ya29.GoogleAccess-0123"}


def string_cells(path: Path, secret: str) -> list[str]:
    """Tables and columns of a DuckDB file whose text holds `secret` (files may compress text)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE NOT internal "
            "AND data_type IN ('VARCHAR', 'JSON') AND schema_name IN ('raw', 'core', 'main')").fetchall()
        found = []
        for schema, table, column in columns:
            hits = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" '
                               f'WHERE contains("{column}"::VARCHAR, ?)', [secret]).fetchall()[0][0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
        return found
    finally:
        con.close()


def serve_leaky_answers(server) -> None:
    """Answers that tempt a leak: HTML where JSON belongs (the error names the URL, with ?key=), an
    error body that echoes the credentials, and a Hub listing whose next page is on another host."""
    def echo(request):
        said = f"rejected {request.target} {request.headers.get('Authorization', '')}"
        return Response(401, said.encode(), {"Content-Type": "text/plain"})

    server.handle_prefix("/2.3/tags/", lambda r: Response(200, b"<html>maintenance</html>",
                                                          {"Content-Type": "text/html"}))
    server.handle_prefix("/api/models", lambda r: Response(
        200, b"[]", {"Content-Type": "application/json", "Link": '<http://127.0.0.1:9/api/models'
                                                                 '?page=2>; rel="next"'}))
    server.handle_prefix("/api/packages/", echo)
    server.handle("/token", lambda r: Response(200, json.dumps({
        "access_token": GOOGLE["access_token"], "expires_in": 3600,
        "token_type": "Bearer"}).encode(), {"Content-Type": "application/json"}), method="POST")
    server.handle_prefix("/bigquery/", echo, method="POST")


def google_credentials(folder: Path, server) -> dict[str, str]:
    """GOOGLE_APPLICATION_CREDENTIALS for the bigquery source, where its extra is installed."""
    try:
        import google.auth  # noqa: F401
    except ImportError:
        return {}
    path = folder / "google.json"
    path.write_text(json.dumps({"type": "authorized_user", "client_id": "dltrends-test",
                                "client_secret": GOOGLE["client_secret"],
                                "refresh_token": GOOGLE["refresh_token"],
                                "token_uri": server.url + "/token"}))
    return {"GOOGLE_APPLICATION_CREDENTIALS": str(path), "DLTRENDS_BIGQUERY_PROJECT": "test-project"}


@pytest.mark.slow
def test_secrets_appear_in_no_file_log_line_or_error_text(tmp_path, pypi_server):
    with FakeSmtp() as smtp:
        hook = HOOK_SECRET + "?" + "&".join(f"{k}={v}" for k, v in HOOK_QUERY.items())
        pypi_server.add(HOOK_SECRET, "ok", content_type="text/plain", method="POST")
        pypi_server.fail(HOOK_SECRET, status(500, f"bad hook {hook} {HOOK_QUERY['token']}"),
                         method="POST")
        pypi_server.fail("/pypi/keras/json", *[status(401, "token rejected")] * 3)
        serve_leaky_answers(pypi_server)
        data = tmp_path / "data"
        db = data / "dl.duckdb"
        google = google_credentials(tmp_path, pypi_server)
        env = cli_env(db, pypi_server.url, **SECRETS, **google,
                      DLTRENDS_ALERT_WEBHOOK_URL=pypi_server.url + hook,
                      DLTRENDS_SMTP_HOST="127.0.0.1", DLTRENDS_SMTP_PORT=str(smtp.port),
                      DLTRENDS_SMTP_SECURITY="none", DLTRENDS_SMTP_USER="dltrends",
                      DLTRENDS_ALERT_EMAIL_TO="ops@example.org", DLTRENDS_ALERT_RELEASE_DAYS="100000",
                      DLTRENDS_LOG_LEVEL="DEBUG")
        for name in Settings.model_fields:  # every source's base URL points at the fake server
            if name.endswith("_url") and name != "alert_webhook_url":
                env[f"DLTRENDS_{name.upper()}"] = pypi_server.url
        env["DLTRENDS_BIGQUERY_URL"] = pypi_server.url + "/bigquery"
        env["DLTRENDS_REGISTRY"] = str(SIGNALS_REGISTRY)  # it names Stack Overflow tags and Hub libraries
        said = []
        for args in (["collect", "-v", *[a for s in SOURCES for a in ("-s", s)]], ["status"],
                     ["alerts", "check", "-v"], ["alerts", "test"], ["backup", str(data / "bk")],
                     ["report", "--out", str(data / "reports")]):
            proc = dltrends(*args, env=env)
            out, err = proc.communicate(timeout=120)
            said.append(f"$ dltrends {' '.join(args)} -> {proc.returncode}\n{out}\n{err}")
        age_run_log(db)
        sched = dltrends("schedule", "-v", env=env)
        wait_for(lambda: any(" job pypi: " in line for line in log_lines(db)), 60, "a scheduled job")
        sched.send_signal(signal.SIGTERM)
        said.append("".join(sched.communicate(timeout=20)))
    transcript = "\n".join(said)
    (tmp_path / "transcript.txt").write_text(transcript)  # kept by pytest, for a failure's reader
    assert "alerts: " in transcript and "sent " in transcript  # deliveries happened (and failed once)
    assert "HTTP 401" in transcript and smtp.messages and smtp.logins
    assert "expected JSON, got text/html" in transcript and "key=***" in transcript
    asked = {r.path: r for r in pypi_server.requests}
    assert any(p.startswith("/2.3/tags/") for p in asked) and "/api/models" in asked
    assert asked["/api/models"].headers["Authorization"].endswith(SECRETS["HF_TOKEN"])
    if google:
        assert "/token" in asked
    delivered = [r.body.decode(errors="replace") for r in pypi_server.requests
                 if r.path == HOOK_SECRET] + [m.as_string() for m in smtp.messages]
    assert len(delivered) >= 3  # webhook posts (one refused) and e-mails
    plain = [*SECRETS.values(), HOOK_SECRET, HOOK_SECRET.rsplit("/", 1)[1], *HOOK_QUERY.values(),
             *(GOOGLE.values() if google else [])]
    secrets = sorted({form for p in plain for form in (p, quote(p, safe=""), quote_plus(p))})
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".log") for p in files) and any(p.suffix == ".backup" for p in files)
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".md" for p in files)
    for secret in secrets:
        assert secret not in transcript, secret
        assert not [text for text in delivered if secret in text], secret
        leaked = [p for p in files if secret.encode() in p.read_bytes()]
        assert leaked == [], (secret, leaked)
        for path in files:
            if path.suffix in (".duckdb", ".work", ".backup"):
                assert string_cells(path, secret) == [], (secret, path)

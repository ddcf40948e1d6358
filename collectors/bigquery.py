"""BigQuery collector: the same download series from `bigquery-public-data.pypi.file_downloads`.

Optional: needs the `bigquery` extra (google-auth) and Google credentials (Application Default
Credentials: GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`); the
billed project is DLTRENDS_BIGQUERY_PROJECT or the credentials' own. Queries go through the
BigQuery REST API (`jobs.query`, then `jobs.getQueryResults` pages) with the shared HTTP client,
so timeouts, retries and Retry-After work as for every other source.

One item is one UTC day for every tracked package: totals with and without mirrors (pypistats'
definition), version, Python, OS, installer and CI (`details.ci`, which no other source has).
Before each query a dry run prices it: the estimate is logged, and a query that would take the
run past DLTRENDS_BIGQUERY_MAX_GB is deferred (`--dry-run` only prints the estimates). The table
is partitioned by day, so one day costs the same for one package or sixty. Days already loaded
are not queried again (cursor = the day), so a daily `dltrends backfill --source bigquery` tops up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, utcnow
from collectors.common import failed
from collectors.http import HttpClient, HttpError
from dltrends.errors import ConfigError
from dltrends.settings import Settings

NAME = "bigquery"
TABLE = "core.pypi_downloads"
KEY = ("package_key", "dimension", "day", "category", "source")
# Item cursor: day
DAILY = Stream("daily", TABLE, KEY)
STREAMS = {DAILY.name: DAILY}
SCOPE = "https://www.googleapis.com/auth/bigquery.readonly"
MIRRORS = ("bandersnatch", "z3c.pypimirror", "Artifactory", "devpi")
PAGE_ROWS = 50_000
POLLS = 20  # getQueryResults calls (each waits up to TIMEOUT_MS at the server) before giving up
TIMEOUT_MS = 60_000

SQL = """
WITH d AS (
  SELECT file.project AS package, file.version AS version,
         REGEXP_EXTRACT(details.python, r'^[0-9]+\\.[0-9]+') AS python,
         details.system.name AS system, details.installer.name AS installer, details.ci AS ci
  FROM `bigquery-public-data.pypi.file_downloads`
  WHERE timestamp >= TIMESTAMP(@day) AND timestamp < TIMESTAMP(DATE_ADD(@day, INTERVAL 1 DAY))
    AND file.project IN UNNEST(@packages)
)
SELECT package, 'total' AS dimension, 'with_mirrors' AS category, COUNT(*) AS downloads
FROM d GROUP BY package
UNION ALL SELECT package, 'total', 'without_mirrors', COUNT(*)
FROM d WHERE installer NOT IN ({mirrors}) GROUP BY package
UNION ALL SELECT package, 'version', version, COUNT(*) FROM d GROUP BY package, version
UNION ALL SELECT package, 'python', python, COUNT(*) FROM d GROUP BY package, python
UNION ALL SELECT package, 'system', system, COUNT(*) FROM d GROUP BY package, system
UNION ALL SELECT package, 'installer', installer, COUNT(*) FROM d GROUP BY package, installer
UNION ALL SELECT package, 'ci', CASE WHEN ci THEN 'ci' WHEN NOT ci THEN 'not_ci' END, COUNT(*)
FROM d GROUP BY package, 3
""".format(mirrors=", ".join(f"'{m}'" for m in MIRRORS)).strip()

log = logging.getLogger(__name__)


class BigQueryUnavailable(Exception):
    """The extra is not installed or no credentials were found; the message says what to do."""


@dataclass
class Credentials:
    """A bearer token source: `token()` refreshes when needed; `project` is the default project."""

    token: Callable[[], str]
    project: str


def google_credentials() -> Credentials:
    """Application Default Credentials through google-auth (the `bigquery` extra)."""
    try:
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError
        from google.auth.transport.requests import Request
    except ImportError:
        raise BigQueryUnavailable("the bigquery source needs the bigquery extra: "
                                  "pip install 'dltrends[bigquery]'") from None
    try:
        creds, project = google.auth.default(scopes=[SCOPE])
    except DefaultCredentialsError as exc:
        raise BigQueryUnavailable(f"no Google credentials found ({exc}); set "
                                  "GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth "
                                  "application-default login`") from None

    def token() -> str:
        if not creds.valid:
            creds.refresh(Request())
        return creds.token

    return Credentials(token, project or "")


class BigQueryCollector(Collector):
    """Prices, runs and pages one query per day, within a byte budget."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, credentials: Credentials, project: str,
                 packages: list[str], max_bytes: float, dry_run: bool = False):
        self.client = client
        self.credentials = credentials
        self.project = project or credentials.project
        self.packages = packages
        self.max_bytes = max_bytes
        self.dry_run = dry_run
        self.estimated = 0  # bytes the dry runs priced
        self.billed = 0  # bytes the queries that ran reported

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> BigQueryCollector:
        sleep = inputs.sleep
        extra = {"sleep": sleep} if sleep else {}
        client = HttpClient(settings.bigquery_url, timeout=max(settings.http_timeout, 90.0),
                            retries=settings.http_retries, max_retry_wait=settings.http_max_retry_wait,
                            contact=settings.contact, pool_size=1, deadline=settings.http_deadline,
                            **extra)
        registry = inputs.registry
        packages = ([p.key for p in registry.packages(nightlies=settings.nightlies, only=inputs.frameworks)]
                    if registry is not None else [])
        return cls(client, cls.check(settings, inputs), settings.bigquery_project, packages,
                   settings.bigquery_max_gb * 1e9, inputs.dry_run)

    @classmethod
    def check(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> Credentials:
        """The credentials; ConfigError (exit 2) without the extra, credentials or a project."""
        try:
            credentials = google_credentials()
        except BigQueryUnavailable as exc:
            raise ConfigError(str(exc)) from None
        if not (settings.bigquery_project or credentials.project):
            raise ConfigError("no Google Cloud project to bill: set DLTRENDS_BIGQUERY_PROJECT")
        return credentials

    def close(self) -> None:
        log.info("bigquery: dry runs priced %.1f GB; queries processed %.1f GB",
                 self.estimated / 1e9, self.billed / 1e9)
        self.client.close()

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        if stream is not DAILY:
            raise ValueError(f"bigquery has no stream {stream.name!r}")
        for day in items:
            yield self.fetch_one(day, state.get(day, ItemState()))

    def fetch_one(self, day: str, previous: ItemState) -> RawItem:
        """Price and run one day's query; never raises for the day's own failure."""
        item = RawItem(NAME, DAILY.name, day, utcnow(), "unchanged", cursor=previous.cursor)
        if previous.cursor == day:
            return item  # loaded already
        try:
            estimate = self._price(day)
            if self.dry_run:
                return item
            if self.billed + estimate > self.max_bytes:
                return failed(item, status="deferred", error=f"would scan {estimate / 1e9:.1f} GB; "
                            f"{max(self.max_bytes - self.billed, 0) / 1e9:.1f} GB left of "
                            "DLTRENDS_BIGQUERY_MAX_GB this run")
            result = self._run(day)
        except HttpError as exc:
            return failed(item, _describe(exc))
        except ValueError as exc:
            return failed(item, str(exc))
        self.billed += int(result.get("totalBytesProcessed") or estimate)
        item.status, item.cursor = "new", day
        item.meta["bytes"] = 200 * len(result["rows"])
        item.payload = {"day": day, "packages": self.packages, "sql": SQL,
                        "bytes_estimate": estimate, "result": result}
        return item

    def _price(self, day: str) -> int:
        answer = self._query(day, dry_run=True)
        estimate = int(answer.get("totalBytesProcessed") or 0)
        self.estimated += estimate
        log.info("bigquery %s: the query will scan %.2f GB (dry run)%s", day, estimate / 1e9,
                 "; not run (--dry-run)" if self.dry_run else "")
        return estimate

    def _run(self, day: str) -> dict[str, Any]:
        """The whole answer: first page, polls until the job completes, then every page."""
        answer = self._query(day, dry_run=False)
        job = answer.get("jobReference") or {}
        polls = 0
        while not answer.get("jobComplete"):
            polls += 1
            if polls > POLLS:
                raise ValueError(f"job {job.get('jobId')} still running after {POLLS} polls")
            answer = self._results(job, None)
        rows = list(answer.get("rows") or [])
        first = answer
        while token := answer.get("pageToken"):
            answer = self._results(job, token)
            rows += answer.get("rows") or []
        total = int(first.get("totalRows") or 0)
        if total != len(rows):
            raise ValueError(f"answer says {total} rows but {len(rows)} arrived (job {job.get('jobId')})")
        return {"schema": first["schema"], "rows": rows, "totalRows": str(total),
                "totalBytesProcessed": first.get("totalBytesProcessed"),
                "jobReference": job, "cacheHit": first.get("cacheHit")}

    def _query(self, day: str, dry_run: bool) -> dict[str, Any]:
        body = {
            "query": SQL, "useLegacySql": False, "dryRun": dry_run, "parameterMode": "NAMED",
            "timeoutMs": TIMEOUT_MS, "maxResults": PAGE_ROWS,
            "queryParameters": [
                {"name": "day", "parameterType": {"type": "DATE"}, "parameterValue": {"value": day}},
                {"name": "packages", "parameterType": {"type": "ARRAY", "arrayType": {"type": "STRING"}},
                 "parameterValue": {"arrayValues": [{"value": p} for p in self.packages]}},
            ],
        }
        response = self.client.post(f"/bigquery/v2/projects/{self.project}/queries", json=body,
                                    headers=self._auth())
        return _json(response)

    def _results(self, job: dict[str, Any], page: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"timeoutMs": TIMEOUT_MS, "maxResults": PAGE_ROWS}
        if job.get("location"):
            params["location"] = job["location"]
        if page:
            params["pageToken"] = page
        response = self.client.get(
            f"/bigquery/v2/projects/{job.get('projectId') or self.project}/queries/{job['jobId']}",
            params=params, headers=self._auth())
        return _json(response)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.token()}"}


def _json(response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        raise ValueError(f"invalid JSON ({len(response.content)} bytes) from {_where(response)}") from None
    if not isinstance(answer, dict):
        raise ValueError(f"unexpected answer from {_where(response)}")
    if errors := answer.get("errors"):
        raise ValueError(f"BigQuery reported: {errors[0].get('message', errors[0])}")
    return answer


def _where(response) -> str:
    return str(response.url.copy_with(query=None))


def _describe(exc: HttpError) -> str:
    if exc.status in (401, 403):
        return f"{exc.reason}: check the credentials and that the project may run BigQuery jobs ({exc.url})"
    return str(exc)


DEFAULT_DAYS = 30  # a backfill without --since: the last 30 days
LAG_DAYS = 2  # the table is complete about two days after


def window(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """A backfill's first and last day: --until or two days ago; --since or 30 days before."""
    last = until or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=LAG_DAYS)
    return since or last - dt.timedelta(days=DEFAULT_DAYS - 1), last


def days(since: dt.date, until: dt.date) -> list[str]:
    """Every day from since to until (inclusive), ISO formatted."""
    return [(since + dt.timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]

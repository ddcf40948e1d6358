"""ClickPy collector: PyPI download history from ClickHouse's public `pypi` database, over HTTP.

ClickPy (github.com/ClickHouse/clickpy) keeps the BigQuery download logs since 2016 pre-aggregated
in SummingMergeTree tables. We query only those (never the raw `pypi.pypi` table, hundreds of
billions of rows) and always `sum(count) ... GROUP BY`, because such tables merge lazily. Queries go
as a read-only GET (`?query=...`) with the package and bounds as ClickHouse query parameters
(`{project:String}`), and come back as `FORMAT JSONCompact` (64-bit sums as JSON strings).

Streams and item keys:
- `totals` (key: package): per day, all downloads (`pypi_downloads_per_day`) and downloads without
  mirrors (`..._by_version_by_installer_by_type`, installers other than pypistats' mirror list and
  not empty), one request for the whole span;
- `version`, `python`, `system`, `installer` (key: `package:year`): the daily mix of one year;
- `country` (key: `package:year`): the monthly mix, complete months only.

The first query of a run is a quick probe (one retry): when the endpoint cannot be reached at all,
the source fails at once (`SourceUnavailable`) instead of retrying every item.
Every span ends two days before today (UTC), so a stored day is at least a day old at the source.
An item's cursor is the last day it covers: a backfill skips items already complete and resumes
the rest; a top-up (`collect --source clickpy`) re-asks from three days before the cursor.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import Probe, failed
from collectors.http import HttpClient, HttpError
from dltrends.settings import Settings

NAME = "clickpy"
TABLE = "core.pypi_downloads"
KEY = ("package_key", "dimension", "day", "category", "source")
# Item cursor: end
TOTALS = Stream("totals", TABLE, KEY)
# stream -> (ClickPy table, grouped column)
BREAKDOWNS = {
    "version": ("pypi_downloads_per_day_by_version", "version"),
    "python": ("pypi_downloads_per_day_by_version_by_python", "python_minor"),
    "system": ("pypi_downloads_per_day_by_version_by_system", "system"),
    "installer": ("pypi_downloads_per_day_by_version_by_installer_by_type", "installer"),
    "country": ("pypi_downloads_per_day_by_version_by_country", "country_code"),
}
# Item cursor: end
STREAMS = {TOTALS.name: TOTALS} | {s: Stream(s, TABLE, KEY) for s in BREAKDOWNS}
DEFAULT_SINCE = dt.date(2016, 1, 1)
LAG_DAYS = 2
OVERLAP_DAYS = 3
MIRRORS = ("bandersnatch", "z3c.pypimirror", "Artifactory", "devpi", "")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """The days a run may ask for: from `since` to `until` (inclusive)."""

    since: dt.date = DEFAULT_SINCE
    until: dt.date | None = None  # default: two days before today (UTC)


class ClickpyCollector(Collector):
    """Runs one bounded query per item, a few at a time."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, user: str = "play", concurrency: int = 4,
                 window: Window | None = None, today: Callable[[], dt.date] | None = None):
        self.client = client
        self.user = user
        self.concurrency = concurrency
        today = (today or (lambda: utcnow().date()))()
        window = window or Window()
        self.since = window.since
        self.until = window.until or today - dt.timedelta(days=LAG_DAYS)
        self._probe = Probe(client, NAME, "DLTRENDS_CLICKPY_URL")

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> ClickpyCollector:
        sleep = inputs.sleep
        extra = {"sleep": sleep} if sleep else {}
        client = HttpClient(
            settings.clickpy_url, timeout=max(settings.http_timeout, 60.0),
            retries=settings.http_retries, max_retry_wait=settings.http_max_retry_wait,
            contact=settings.contact, pool_size=settings.clickpy_concurrency,
            deadline=settings.http_deadline, **extra,
        )
        window = Window(inputs.since or DEFAULT_SINCE, inputs.until)
        return cls(client, settings.clickpy_user, settings.clickpy_concurrency, window)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        if STREAMS.get(stream.name) is not stream:
            raise ValueError(f"clickpy has no stream {stream.name!r}")
        keys = iter(items)
        for key in keys:  # one at a time until a query has reached the endpoint
            yield self.fetch_one(stream, key, state.get(key, ItemState()))
            if self._probe.answered:
                break
        yield from completed(lambda key: self.fetch_one(stream, key, state.get(key, ItemState())),
                             keys, self.concurrency)

    def fetch_one(self, stream: Stream, key: str, previous: ItemState) -> RawItem:
        """Query one item's span; never raises for the item's own failure."""
        item = RawItem(NAME, stream.name, key, utcnow(), "unchanged", cursor=previous.cursor)
        package, start, end = self.span(stream.name, key, previous.cursor)
        if start > end:
            return item  # complete already, or no complete month yet
        sql = query(stream.name)
        params = {"query": sql, "user": self.user, "param_project": package,
                  "param_start": start.isoformat(), "param_end": end.isoformat()}
        try:
            response = self._probe.get("/", params=params)
        except HttpError as exc:  # name the item and endpoint; the URL would repeat the whole SQL
            where = f"{self.client.base_url} {stream.name} {package} {start}..{end}"
            detail = f": {exc.detail}" if exc.detail else ""
            return failed(item, f"{exc.reason} ({where}){detail}")
        item.meta["bytes"] = len(response.content)
        try:
            result = decode(response)
        except ValueError as exc:
            return failed(item, str(exc))
        item.cursor = end.isoformat()
        item.status = "new"
        item.payload = {"stream": stream.name, "package": package, "start": start.isoformat(),
                        "end": end.isoformat(), "sql": sql, "result": result}
        return item

    def span(self, stream: str, key: str, cursor: str | None) -> tuple[str, dt.date, dt.date]:
        """(package, first day, last day) an item asks for this run; first > last: nothing to do."""
        package, _, year = key.partition(":")
        start, end = self.since, self.until
        if year:
            start = max(start, dt.date(int(year), 1, 1))
            end = min(end, dt.date(int(year), 12, 31))
        if cursor:
            done = dt.date.fromisoformat(cursor)
            if stream == "country":
                end = _last_complete_month_end(end)
            if done >= end:
                return package, end + dt.timedelta(days=1), end
            start = max(start, done - dt.timedelta(days=OVERLAP_DAYS))
        if stream == "country":
            start, end = start.replace(day=1), _last_complete_month_end(end)
        return package, start, end


def _last_complete_month_end(day: dt.date) -> dt.date:
    following = day + dt.timedelta(days=1)
    return day if following.day == 1 else day.replace(day=1) - dt.timedelta(days=1)


def query(stream: str) -> str:
    """The SQL of a stream; the package and bounds are ClickHouse query parameters."""
    where = ("project = {project:String} AND date >= {start:Date} AND date <= {end:Date}")
    if stream == "totals":
        mirrors = ", ".join(f"'{m}'" for m in MIRRORS)
        return (
            "SELECT d.date AS date, d.with_mirrors AS with_mirrors, "
            "coalesce(i.without_mirrors, 0) AS without_mirrors FROM "
            f"(SELECT date, sum(count) AS with_mirrors FROM pypi.pypi_downloads_per_day WHERE {where} "
            "GROUP BY date) AS d LEFT JOIN "
            f"(SELECT date, sumIf(count, installer NOT IN ({mirrors})) AS without_mirrors "
            f"FROM pypi.pypi_downloads_per_day_by_version_by_installer_by_type WHERE {where} "
            "GROUP BY date) AS i ON d.date = i.date ORDER BY date FORMAT JSONCompact"
        )
    table, column = BREAKDOWNS[stream]
    if stream == "country":
        return (f"SELECT toStartOfMonth(date) AS month, {column}, sum(count) AS downloads "
                f"FROM pypi.{table} WHERE {where} GROUP BY month, {column} "
                f"ORDER BY month, {column} FORMAT JSONCompact")
    return (f"SELECT date, {column}, sum(count) AS downloads FROM pypi.{table} WHERE {where} "
            f"GROUP BY date, {column} ORDER BY date, {column} FORMAT JSONCompact")


def decode(response: httpx.Response) -> dict[str, Any]:
    """A complete JSONCompact answer, or ValueError: ClickHouse can fail after sending 200."""
    text = response.text
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = text[text.find("Code:"):][:200] if "Code:" in text else ""
        raise ValueError(f"incomplete answer ({exc.msg} at byte {exc.pos} of {len(text)})"
                         + (f": {hint}" if hint else "; truncated body?") + f" from {_where(response)}"
                         ) from None
    if not (isinstance(body, dict) and isinstance(body.get("meta"), list)
            and isinstance(body.get("data"), list)):
        raise ValueError(f"unexpected answer (no meta/data; not FORMAT JSONCompact?) from {_where(response)}")
    if body.get("rows", len(body["data"])) != len(body["data"]):
        raise ValueError(f"answer says {body.get('rows')} rows but holds {len(body['data'])} "
                         f"from {_where(response)}")
    return body


def _where(response: httpx.Response) -> str:
    """The endpoint without the query string (the SQL is in the run's raw payloads)."""
    return str(response.url.copy_with(query=None))

"""The BigQuery backfill as a job source: credentials first, then one item per day."""

from __future__ import annotations

import datetime as dt

from collectors import bigquery
from dltrends.errors import ConfigError
from dltrends.registry import Registry
from dltrends.settings import Settings
from jobs.collect.sources import Source

DEFAULT_DAYS = 30
LAG_DAYS = 2


def bigquery_backfill_job(settings: Settings, registry: Registry, frameworks: list[str] | None,
                          since: dt.date | None, until: dt.date | None, dry_run: bool) -> Source:
    """A Source for `_run_source`; refuses at once (exit 2) without the extra or credentials."""
    try:
        credentials = bigquery.google_credentials()
    except bigquery.BigQueryUnavailable as exc:
        raise ConfigError(str(exc)) from None
    if not (settings.bigquery_project or credentials.project):
        raise ConfigError("no Google Cloud project to bill: set DLTRENDS_BIGQUERY_PROJECT")
    last = until or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=LAG_DAYS)
    first = since or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    packages = [p.key for p in registry.packages(nightlies=settings.nightlies, only=frameworks)]
    return Source(
        name=bigquery.NAME,
        title="BigQuery bigquery-public-data.pypi.file_downloads",
        make_collector=lambda s, sleep: bigquery.BigQueryCollector.from_settings(
            s, sleep, credentials, packages, dry_run),
        plan=lambda s, r, f: [(bigquery.DAILY, bigquery.days(first, last))],
        needs_network="bigquery.googleapis.com with Google credentials",
    )

"""One typed settings object: defaults < dltrends.toml < DLTRENDS_* environment < CLI options.

Secrets (GITHUB_TOKEN, HF_TOKEN, STACKEXCHANGE_KEY) are read from the environment only; a settings
file that names one is refused, so a token never ends up in a file that gets copied around.
"""

from __future__ import annotations

import datetime as dt
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from dltrends import cron
from dltrends.errors import ConfigError, read_toml

ENV_PREFIX = "DLTRENDS_"
CONFIG_ENV = "DLTRENDS_CONFIG"
DEFAULT_CONFIG = Path("dltrends.toml")
SECRET_FIELDS = {
    "github_token": "GITHUB_TOKEN",
    "hf_token": "HF_TOKEN",
    "stackexchange_key": "STACKEXCHANGE_KEY",
    "alert_webhook_url": "DLTRENDS_ALERT_WEBHOOK_URL",  # a Slack webhook URL is a credential
    "smtp_password": "DLTRENDS_SMTP_PASSWORD",
}
MONTH = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"
# Lists a user may also give as "a,b" in the environment (pydantic would want JSON).
CommaList = Annotated[list[str], NoDecode]

_config_path: ContextVar[Path | None] = ContextVar("dltrends_config_path", default=None)


def default_cache() -> Path:
    """dltrends' cache folder: $XDG_CACHE_HOME/dltrends, else ~/.cache/dltrends."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dltrends"


def default_registry_path() -> Path:
    """The registry shipped with dltrends: inside the wheel, else at the source tree's root."""
    packaged = Path(__file__).with_name("frameworks.toml")
    return packaged if packaged.exists() else Path(__file__).resolve().parent.parent / "frameworks.toml"


class Settings(BaseSettings):
    """Every dltrends setting. Field descriptions are the documentation (`--help` and
    docs/reference/settings.md)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    db: Path = Field(
        Path("data/dltrends.duckdb"),
        description="The published DuckDB file the dashboard and users read. The collector's "
        "private working file and lock live beside it (<db>.work, <db>.work.lock).",
    )
    registry: Path = Field(
        default_factory=default_registry_path,
        description="The framework registry (frameworks.toml).",
    )
    pypi_url: str = Field(
        "https://pypi.org",
        description="Package index host root; the collector requests <url>/pypi/<name>/json.",
    )
    pypistats_url: str = Field(
        "https://pypistats.org",
        description="pypistats.org API host root; the collector requests "
        "<url>/api/packages/<name>/overall, /python_minor and /system (last 180 days, daily).",
    )
    pypistats_rate: int = Field(
        30, ge=1, le=300, description="Requests per minute sent to pypistats (its published "
        "limit is 30 a minute and 5 a second, per IP)."
    )
    pypistats_scope: Literal["primary", "counted", "all"] = Field(
        "counted",
        description="Which packages `collect` asks pypistats about: primary (all three series "
        "for primary packages), counted (daily totals for primary and variant packages, Python "
        "and OS mix for primary ones: about 70 requests, 2-3 minutes at 30 a minute) or all "
        "(every series for every tracked package).",
    )
    clickpy_url: str = Field(
        "https://clickpy-clickhouse.clickhouse.com",
        description="ClickHouse HTTP endpoint holding ClickPy's public `pypi` database (full "
        "download history since 2016), used by `dltrends backfill --source clickpy` and its "
        "daily top-ups.",
    )
    clickpy_user: str = Field(
        "play", description="ClickHouse user for the clickpy endpoint (the public read-only "
        "user needs no password)."
    )
    clickpy_concurrency: int = Field(
        4, ge=1, le=16, description="Queries in flight at once against clickpy (a shared public "
        "instance with quotas)."
    )
    bigquery_url: str = Field(
        "https://bigquery.googleapis.com",
        description="BigQuery REST API root for the optional `bigquery` source (needs the "
        "`bigquery` extra and Google credentials, e.g. GOOGLE_APPLICATION_CREDENTIALS).",
    )
    bigquery_project: str = Field(
        "", description="Google Cloud project billed for BigQuery queries (default: the "
        "credentials' project)."
    )
    bigquery_max_gb: float = Field(
        200.0, ge=0, description="Most GB one bigquery run may scan, by the dry-run estimates "
        "printed before each query; queries past it are deferred to the next run (the free "
        "tier is 1 TB a month)."
    )
    http_timeout: float = Field(30.0, gt=0, description="Seconds before one HTTP request times out.")
    http_retries: int = Field(
        4, ge=0, le=10, description="Retries of one request after 429, 5xx or a connection error."
    )
    http_max_retry_wait: float = Field(
        120.0,
        ge=0,
        description="Longest wait (seconds) honoured for one Retry-After or backoff; a longer "
        "Retry-After fails the item instead of stalling the run.",
    )
    http_deadline: float = Field(
        600.0, ge=0,
        description="Seconds one HTTP request may take in all (connect, headers, body, redirects), "
        "however slowly the server sends; a request past it fails without retries (0: no limit).",
    )
    source_max_failures: int = Field(
        25, ge=0,
        description="A source stops after this many items in a row failed, with one message "
        "instead of hundreds (0: never stop); deferred items do not count.",
    )
    concurrency: int = Field(8, ge=1, le=64, description="Requests in flight at once per source.")
    nightlies: bool = Field(
        False, description="Also track the registry's pypi_nightly packages (large, change daily)."
    )
    lock_timeout: float = Field(
        60.0, ge=0, description="Seconds a collect waits for another writer before exiting 75."
    )
    contact: str = Field(
        "", description="Your e-mail or URL, appended to the User-Agent so index operators can "
        "reach you (PyPI asks bulk clients for one)."
    )
    dashboard_cache_ttl: int = Field(
        300, ge=0, description="Seconds the dashboard caches a query result or analysis (a new "
        "publish invalidates it sooner); 0 turns caching off."
    )
    sql_timeout: float = Field(
        30.0, gt=0, le=3600, description="Seconds one SQL console query (dashboard SQL page, "
        "dltrends sql) may run before its worker process is stopped."
    )
    sql_memory_mb: int = Field(
        512, ge=64, le=1_048_576, description="Memory (MiB) one SQL console query may use: DuckDB's "
        "memory_limit, and the worker's address-space cap on Linux (this plus 768 MiB)."
    )
    sql_threads: int = Field(2, ge=1, le=64, description="Threads one SQL console query may use.")
    sql_max_rows: int = Field(
        100_000, ge=1, le=10_000_000, description="Most rows a SQL console query returns; a larger "
        "result is cut there and says so (dltrends sql then exits 1)."
    )
    sql_max_bytes: int = Field(
        64 * 2**20, ge=1024, le=2**40, description="Most bytes (Arrow's in-memory size) a SQL "
        "console result holds; a larger result is cut there and says so (dltrends sql then exits "
        "1). The dashboard's result cache holds at most four times this."
    )
    sql_max_query_bytes: int = Field(
        100_000, ge=100, le=10_000_000, description="Longest SQL text (UTF-8 bytes) the SQL "
        "console accepts; a longer one is refused before it is parsed."
    )
    bench_envs: Path = Field(
        default_factory=lambda: default_cache() / "bench-envs",
        description="Folder of the cached benchmark environments (one per spec; `dltrends bench envs` "
        "lists them with their disk use, `dltrends bench clean` removes them).",
    )
    bench_installer: Literal["auto", "uv", "pip"] = Field(
        "auto", description="What creates benchmark environments: uv when present (auto), or venv + pip."
    )
    bench_adapters: Path | None = Field(
        None, description="Extra folder of benchmark adapter files (one .py per framework); a file "
        "named like a built-in adapter replaces it."
    )
    bench_budget: float = Field(
        2.0, gt=0, description="Seconds of timed repeats per benchmark case (after the warm-up)."
    )
    bench_case_timeout: float = Field(
        300.0, gt=0, description="Seconds one benchmark case (or a framework's import) may run "
        "before its worker is killed and the case recorded as timed out."
    )
    bench_threads: int = Field(
        0, ge=0, description="Threads every framework is pinned to; 0 means the machine's physical cores."
    )
    bench_install_timeout: float = Field(
        1800.0, gt=0, description="Seconds one environment's resolve or install may take."
    )
    bench_specs: CommaList = Field(
        default_factory=list, description="Framework releases the scheduled benchmark runs "
        "(`dltrends schedule` / `dltrends crontab`, weekly by default), e.g. torch==2.13.0, "
        "jax==0.10.2 (comma-separated in the environment); empty: no scheduled benchmark."
    )
    mlperf_api_url: str = Field(
        "https://api.github.com", description="GitHub API root used to list the MLPerf round "
        "repositories (head commit and file tree; uses GITHUB_TOKEN when set)."
    )
    mlperf_raw_url: str = Field(
        "https://raw.githubusercontent.com", description="Raw file host the MLPerf files are "
        "downloaded from, as <url>/<owner>/<repo>/<commit>/<path>."
    )
    mlperf_rounds: str = Field(
        "training/v3.0,training/v3.1,training/v4.0,training/v4.1,training/v5.0,training/v5.1,"
        "inference/v4.0,inference/v4.1,inference/v5.0,inference/v5.1",
        description="MLPerf rounds to import, comma-separated <suite>/<version> (each one repository "
        "mlcommons/<suite>_results_<version>).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the CLI and collectors."
    )
    github_api_url: str = Field(
        "https://api.github.com",
        description="GitHub REST API base (GitHub Enterprise: https://HOST/api/v3); GraphQL is "
        "derived from it.",
    )
    github_git_url: str = Field(
        "https://github.com",
        description="Base for git clones (<url>/<owner>/<name>.git) of the community history; empty "
        "disables the git route (commits and authors then come from /stats/contributors).",
    )
    github_git_dir: Path | None = Field(
        None,
        description="Where the blobless bare clones live (default: a git folder beside the "
        "published file). They are a cache: delete them any time.",
    )
    github_max_wait: float = Field(
        90.0, ge=0,
        description="Longest wait (seconds) for a spent GitHub rate limit to reset; a later reset "
        "defers the rest of that stream to the next run.",
    )
    github_history_minutes: float = Field(
        10.0, ge=0,
        description="Minutes a github-history run may spend on API work before it defers the rest "
        "to the next run (0: no limit). Backfills proceed run by run.",
    )
    github_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("GITHUB_TOKEN"),
        description="GitHub token, from the GITHUB_TOKEN environment variable only.",
        exclude=True,
    )
    # Adoption and health signals (conda, Hugging Face Hub, Stack Overflow, npm, OSV).
    conda_url: str = Field(
        "https://anaconda-package-data.s3.amazonaws.com",
        description="Anaconda's public package-data bucket; the conda collector downloads "
        "<url>/conda/monthly/<YYYY>/<YYYY-MM>.parquet.",
    )
    conda_since: str = Field(
        "2017-01", pattern=MONTH,
        description="First month (YYYY-MM) the conda collector reads; the data starts in 2017-01.",
    )
    conda_cache: Path | None = Field(
        None,
        description="Folder that keeps the downloaded monthly Parquet files, so a registry change "
        "re-reads them without downloading again (default: conda-cache/ beside DLTRENDS_DB). "
        "Deleting it is safe.",
    )
    hf_url: str = Field(
        "https://huggingface.co",
        description="Hugging Face Hub root; the hf collector requests <url>/api/models.",
    )
    hf_top_n: int = Field(
        1000, ge=1, le=100_000,
        description="How many of a library's most downloaded models are summed into its top-N "
        "downloads.",
    )
    hf_max_pages: int = Field(
        300, ge=1, le=10_000,
        description="Most pages (1,000 models each) read per library to count its models; a larger "
        "library is recorded as at least that many models (models_count_complete = false).",
    )
    stackoverflow_url: str = Field(
        "https://api.stackexchange.com",
        description="StackExchange API root; the collector requests <url>/2.3/tags/<tags>/info.",
    )
    npm_url: str = Field(
        "https://api.npmjs.org",
        description="npm downloads API root; the collector requests "
        "<url>/downloads/range/<start>:<end>/<package>.",
    )
    npm_since: dt.date = Field(
        dt.date(2015, 1, 10),
        description="First day of npm download history to collect (npm's data starts 2015-01-10).",
    )
    osv_url: str = Field(
        "https://api.osv.dev",
        description="OSV API root; the collector posts to <url>/v1/querybatch and reads "
        "<url>/v1/vulns/<id>.",
    )
    hf_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("HF_TOKEN"),
        description="Hugging Face token (raises the Hub's rate limits), from the HF_TOKEN "
        "environment variable only.",
        exclude=True,
    )
    stackexchange_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("STACKEXCHANGE_KEY"),
        description="StackExchange app key (10,000 requests a day instead of 300), from the "
        "STACKEXCHANGE_KEY environment variable only.",
        exclude=True,
    )
    # Operations: scheduling, logs, health, compaction, alerts.
    schedule: dict[str, str] = Field(
        default_factory=dict,
        description="Cron expression per source (or task) for `dltrends schedule` and `dltrends "
        "crontab`: 5 fields, UTC, weekdays by name (mon..sun), e.g. `{pypi = \"7 * * * *\"}`; "
        "\"off\" disables one. Names not given keep their defaults (docs/operations.md).",
    )
    schedule_misfire_grace: int = Field(
        86400, ge=1, description="Seconds a scheduled run may start late (an earlier job still "
        "running, the machine asleep) and still run, once; a run later than that is skipped.",
    )
    schedule_job_timeout: float = Field(
        21600, gt=0, description="Seconds a scheduled job may run before the scheduler stops it "
        "(SIGTERM, then SIGKILL 8 s later).",
    )
    log_max_bytes: int = Field(
        5_000_000, ge=10_000, description="Size in bytes at which the scheduler's log file "
        "(<db>.log beside the warehouse) is rotated.",
    )
    log_backups: int = Field(5, ge=1, le=100, description="Rotated log files kept (<db>.log.1 ...).")
    failing_runs: int = Field(
        3, ge=1, description="A source whose last N runs all failed is flagged failing (status, "
        "Data page, alerts).",
    )
    compact_ratio: float = Field(
        1.5, ge=0, description="Publish first compacts the working file when it is this many "
        "times larger than its live data (DuckDB does not reclaim the space of updated rows); "
        "0 turns automatic compaction off.",
    )
    alert_rules: CommaList = Field(
        default_factory=lambda: ["all"],
        description="Alert rules evaluated after each job: all, or names from `dltrends alerts "
        "rules` (comma-separated in the environment); an empty list turns alerting off.",
    )
    alert_release_days: int = Field(
        3, ge=1, description="A release counts as new for this many days after its upload "
        "(rule new_release).",
    )
    alert_prereleases: bool = Field(False, description="Also alert on pre-releases (rule new_release).")
    alert_download_change: float = Field(
        0.5, gt=0, description="Rule download_change fires when a framework's average daily "
        "downloads over the last 7 days differ from the 28 days before by this fraction (0.5 = 50 %).",
    )
    alert_webhook_url: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("DLTRENDS_ALERT_WEBHOOK_URL"),
        description="Webhook that receives alerts as a JSON POST {\"text\": ...} (Slack, Mattermost "
        "and compatible); from the DLTRENDS_ALERT_WEBHOOK_URL environment variable only.",
        exclude=True,
    )
    alert_webhook_markup: Literal["auto", "slack", "plain"] = Field(
        "auto", description="How webhook messages are written: slack (Slack's mrkdwn, with text "
        "from the data escaped so it can neither mention nor format), plain (plain text, for "
        "other services), or auto (slack for hooks.slack.com, plain elsewhere).",
    )
    alert_email_to: CommaList = Field(
        default_factory=list, description="Addresses that receive alerts by e-mail (needs smtp_host)."
    )
    alert_email_from: str = Field(
        "", description="Sender address of alert e-mails (default: dltrends@<this host>)."
    )
    smtp_host: str = Field("", description="SMTP server for alert e-mails.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_user: str = Field("", description="SMTP login name; empty: no login.")
    smtp_password: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("DLTRENDS_SMTP_PASSWORD"),
        description="SMTP password, from the DLTRENDS_SMTP_PASSWORD environment variable only.",
        exclude=True,
    )
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls (port 587), ssl (port 465) or none (a local relay)."
    )
    alert_dry_run: bool = Field(
        False, description="Print alerts (and the scheduled report) instead of sending them."
    )
    notify_timeout: float = Field(
        20.0, gt=0, description="Seconds before a webhook POST or SMTP conversation gives up; "
        "what was not sent is tried again after the next job.",
    )

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for name, expr in value.items():
            if expr.strip().lower() == "off":
                out[name] = "off"
                continue
            try:
                out[name] = cron.check(expr)
            except ValueError as exc:
                raise ValueError(f"schedule.{name}: {exc}") from None
        return out

    @field_validator("alert_rules", "alert_email_to", "bench_specs", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlFileSource(settings_cls, _config_path.get())

    def beside(self, suffix: str) -> Path:
        """A file of this warehouse beside the published file: `<db><suffix>`."""
        return self.db.with_name(self.db.name + suffix)

    @property
    def work_path(self) -> Path:
        """The collector's private working file, never shared between two warehouses."""
        return self.beside(".work")

    @property
    def lock_path(self) -> Path:
        return self.beside(".work.lock")

    @property
    def conda_cache_dir(self) -> Path:
        """Where downloaded conda Parquet files are kept."""
        return self.conda_cache or self.db.with_name("conda-cache")

    @property
    def git_dir(self) -> Path:
        """The folder of the git clones (github_git_dir, else <db folder>/git)."""
        return self.github_git_dir or self.db.parent / "git"

    @property
    def scheduler_lock_path(self) -> Path:
        """Held by the one `dltrends schedule` process of this warehouse."""
        return self.beside(".schedule.lock")

    @property
    def log_path(self) -> Path:
        """The scheduler's rotating log file, beside the warehouse."""
        return self.beside(".log")


class TomlFileSource(PydanticBaseSettingsSource):
    """Reads the optional settings file; refuses unknown keys and secrets with the file named."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None):
        super().__init__(settings_cls)
        self.path = path
        self.values = _read_toml(path) if path else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _read_toml(path: Path) -> dict[str, Any]:
    data = read_toml(path, "settings file")
    for key in data:
        if key in SECRET_FIELDS:
            raise ConfigError(
                f"{path}: {key}: secrets are read from the environment only; "
                f"remove it from the file and set {SECRET_FIELDS[key]} instead"
            )
        if key not in Settings.model_fields:
            raise ConfigError(f"{path}: {key}: unknown setting (known: {_known()})")
    return data


def _known() -> str:
    return ", ".join(sorted(set(Settings.model_fields) - set(SECRET_FIELDS)))


def _config_file(config: Path | None) -> Path | None:
    if config is not None:
        if not config.exists():
            raise ConfigError(f"{config}: settings file not found")
        return config
    if env := os.environ.get(CONFIG_ENV):
        path = Path(env)
        if not path.exists():
            raise ConfigError(f"{CONFIG_ENV}={env}: settings file not found")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def config_path(config: Path | None = None) -> Path | None:
    """The settings file in effect (option, DLTRENDS_CONFIG, or ./dltrends.toml), if any."""
    return _config_file(config)


def _check_env_names() -> None:
    known = {ENV_PREFIX + n.upper() for n in Settings.model_fields if n not in SECRET_FIELDS}
    known |= {CONFIG_ENV, *SECRET_FIELDS.values()}
    for name in os.environ:
        if name.startswith(ENV_PREFIX) and name not in known:
            raise ConfigError(f"environment variable {name}: unknown setting (known: {_known()})")


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; CLI options come in as `overrides` (None means "not given")."""
    path = _config_file(config)
    _check_env_names()
    token = _config_path.set(path)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, overrides)) from None
    finally:
        _config_path.reset(token)


def _explain(exc: ValidationError, path: Path | None, overrides: dict[str, Any]) -> str:
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        env_name = ENV_PREFIX + field.upper()
        if overrides.get(field) is not None:
            where = f"option --{field.replace('_', '-')}"
        elif env_name in os.environ:
            where = f"environment variable {env_name}"
        elif path is not None:
            where = f"{path}: {field}"
        else:
            where = field
        lines.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
    return "invalid settings:\n  " + "\n  ".join(lines)


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting, for --help and the docs."""
    rows = []
    for name, field in Settings.model_fields.items():
        env = SECRET_FIELDS.get(name, ENV_PREFIX + name.upper())
        default = field.get_default(call_default_factory=name != "registry")
        rows.append((env, _show(name, default), field.description or ""))
    return rows


def _show(name: str, value: Any) -> str:
    if name == "registry":
        return "frameworks.toml shipped with dltrends"
    if name == "bench_envs":
        return "$XDG_CACHE_HOME/dltrends/bench-envs (~/.cache/...)"
    if value is None or value == "":
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    if isinstance(value, dict):
        return "(per source: see Operations)"
    return str(value)

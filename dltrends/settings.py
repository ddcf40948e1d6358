"""One typed settings object: defaults < dltrends.toml < DLTRENDS_* environment < CLI options.

Secrets (GITHUB_TOKEN and later credentials) are read from the environment only; a settings file
that names one is refused, so a token never ends up in a file that gets copied around.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from dltrends import cron
from dltrends.errors import ConfigError

ENV_PREFIX = "DLTRENDS_"
CONFIG_ENV = "DLTRENDS_CONFIG"
DEFAULT_CONFIG = Path("dltrends.toml")
SECRET_FIELDS = {
    "github_token": "GITHUB_TOKEN",
    "alert_webhook_url": "DLTRENDS_ALERT_WEBHOOK_URL",  # a Slack webhook URL is a credential
    "smtp_password": "DLTRENDS_SMTP_PASSWORD",
}
# Lists a user may also give as "a,b" in the environment (pydantic would want JSON).
CommaList = Annotated[list[str], NoDecode]

_config_path: ContextVar[Path | None] = ContextVar("dltrends_config_path", default=None)


def default_registry_path() -> Path:
    """The registry shipped with dltrends: inside the wheel, else at the source tree's root."""
    packaged = Path(__file__).with_name("frameworks.toml")
    return packaged if packaged.exists() else Path(__file__).resolve().parent.parent / "frameworks.toml"


class Settings(BaseSettings):
    """Every dltrends setting. Field descriptions are the documentation (README, `--help`)."""

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
        300, ge=0, description="Seconds the dashboard caches a query result (a new publish "
        "invalidates it sooner)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the CLI and collectors."
    )
    github_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("GITHUB_TOKEN"),
        description="GitHub token, from the GITHUB_TOKEN environment variable only.",
        exclude=True,
    )
    # Operations (issue 9): scheduling, logs, health, compaction, alerts.
    schedule: dict[str, str] = Field(
        default_factory=dict,
        description="Cron expression per source (or task) for `dltrends schedule` and `dltrends "
        "crontab`: 5 fields, UTC, weekdays by name (mon..sun), e.g. `{pypi = \"7 * * * *\"}`; "
        "\"off\" disables one. Names not given keep their defaults (README: Operations).",
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

    @field_validator("alert_rules", "alert_email_to", mode="before")
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

    @property
    def work_path(self) -> Path:
        """The collector's private working file, never shared between two warehouses."""
        return self.db.with_name(self.db.name + ".work")

    @property
    def lock_path(self) -> Path:
        return self.db.with_name(self.db.name + ".work.lock")

    @property
    def scheduler_lock_path(self) -> Path:
        """Held by the one `dltrends schedule` process of this warehouse."""
        return self.db.with_name(self.db.name + ".schedule.lock")

    @property
    def log_path(self) -> Path:
        """The scheduler's rotating log file, beside the warehouse."""
        return self.db.with_name(self.db.name + ".log")


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the settings file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
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
    """(environment variable, default, description) for every setting, for README and --help."""
    rows = []
    for name, field in Settings.model_fields.items():
        env = SECRET_FIELDS.get(name, ENV_PREFIX + name.upper())
        default = field.get_default(call_default_factory=name != "registry")
        rows.append((env, _show(name, default), field.description or ""))
    return rows


def _show(name: str, value: Any) -> str:
    if name == "registry":
        return "frameworks.toml shipped with dltrends"
    if value is None or value == "":
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    if isinstance(value, dict):
        return "(per source: see Operations)"
    return str(value)

"""One typed settings object: defaults < dltrends.toml < DLTRENDS_* environment < CLI options.

Secrets (GITHUB_TOKEN, HF_TOKEN, STACKEXCHANGE_KEY) are read from the environment only; a settings
file that names one is refused, so a token never ends up in a file that gets copied around.
"""

from __future__ import annotations

import datetime as dt
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from dltrends.errors import ConfigError, read_toml

ENV_PREFIX = "DLTRENDS_"
CONFIG_ENV = "DLTRENDS_CONFIG"
DEFAULT_CONFIG = Path("dltrends.toml")
SECRET_FIELDS = {"github_token": "GITHUB_TOKEN", "hf_token": "HF_TOKEN",
                 "stackexchange_key": "STACKEXCHANGE_KEY"}
MONTH = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"

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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the CLI and collectors."
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
    def conda_cache_dir(self) -> Path:
        """Where downloaded conda Parquet files are kept."""
        return self.conda_cache or self.db.with_name("conda-cache")


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


def _check_env_names() -> None:
    known = {ENV_PREFIX + n.upper() for n in Settings.model_fields if n not in SECRET_FIELDS}
    known.add(CONFIG_ENV)
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
        rows.append((env, _show(name, field.default), field.description or ""))
    return rows


def _show(name: str, value: Any) -> str:
    if name == "registry":
        return "frameworks.toml shipped with dltrends"
    if value is None or value == "":
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
